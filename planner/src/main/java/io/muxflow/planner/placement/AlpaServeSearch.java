package io.muxflow.planner.placement;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.plan.Plan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code alpaserve} policy: AlpaServe's Algorithm 2 (enumerate ways to cut the cluster into
 * groups and each group's (op, pp) configuration, optionally after splitting the devices over
 * buckets of models of similar latency) around Algorithm 1 (greedy replica placement scored by the
 * simulator).
 *
 * <p>Each enumerated group partition is filled by AlpaServe's fast heuristic ({@link
 * FastGreedyReplication}, one simulation per replica) under AlpaServe's own ranking and
 * normalization, the best few partitions also under the count ranking and by the simulator-guided
 * greedy ({@link SimulatorGuidedGreedy}), and the best score wins; since one candidate reproduces
 * AlpaServe's own search, the result is never worse than AlpaServe's on the planning workload. With
 * buckets, every (bucket, devices) sub-problem is solved by AlpaServe's fast heuristic, the best split
 * is chosen on those, and only its buckets get the full search (so it still only improves on it). With buckets, the
 * per-(bucket, device count) sub-solutions are computed once and shared by every split that uses
 * them (AlpaServe recomputes them per split), and the mixed solution (no buckets) competes too.
 * Independent sub-searches (sub-problems, partitions, the guided greedy's candidates) run as fork/join
 * tasks on {@code threads} worker threads; results are reduced in a fixed order, so the plan does not
 * depend on the thread count.
 */
public final class AlpaServeSearch implements PlacementPolicy {
    private final boolean publishedOnly;

    /** muxflow's search: AlpaServe's, plus the refinement when the problem's options ask for it (the default). */
    public AlpaServeSearch() {
        this(false);
    }

    /**
     * @param publishedOnly AlpaServe's published search alone (its fast heuristic with its own ranking on
     *                      every partition and split, no refinement: the problem searched with {@link
     *                      SearchOptions#withGuided} false), whatever the problem's options say:
     *                      the policy {@code alpaserve-published}, to reproduce AlpaServe's result
     */
    public AlpaServeSearch(boolean publishedOnly) {
        this.publishedOnly = publishedOnly;
    }

    @Override
    public String name() {
        return publishedOnly ? "alpaserve-published" : "alpaserve";
    }

    @Override
    public Plan place(PlacementProblem problem, SearchProgress progress) {
        Placement best = solve(problem, progress);
        return Plans.withPrediction(Plan.of(best, problem.models(), name(), 1), problem);
    }

    public Placement solve(PlacementProblem asked, SearchProgress progress) {
        PlacementProblem problem = publishedOnly && asked.search().guided()
                ? asked.withSearch(asked.search().withGuided(false)) : asked;
        int threads = problem.search().threads();
        if (threads == 1) {
            return solveIn(problem, progress);
        }
        // Fork/join: sub-searches fork their own tasks (nested) and a joining worker runs queued ones.
        ForkJoinPool pool = new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("alpaserve-search-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
        try {
            return pool.invoke(ForkJoinTask.adapt(() -> solveIn(problem, progress)));
        } finally {
            pool.shutdownNow();
        }
    }

    private Placement solveIn(PlacementProblem problem, SearchProgress progress) {
        List<int[]> buckets = problem.search().buckets() ? ModelBuckets.buckets(problem.profiles()) : List.of();
        List<int[]> splits = List.of();
        if (buckets.size() > 1) {
            double[] rates = problem.rates();
            double[] bucketRates = new double[buckets.size()];
            double[] bucketLat = new double[buckets.size()];
            for (int b = 0; b < buckets.size(); b++) {
                for (int m : buckets.get(b)) {
                    bucketRates[b] += rates[m];
                }
                bucketLat[b] = ModelBuckets.latency(problem.profiles().get(buckets.get(b)[0]));
            }
            splits = ModelBuckets.splits(problem.cluster().devices(), bucketRates, bucketLat);
        }
        // Tasks: the mixed problem, plus each distinct (bucket, devices) sub-problem.
        Map<Long, int[]> subKeys = new HashMap<>();
        for (int[] split : splits) {
            for (int b = 0; b < split.length; b++) {
                subKeys.put(((long) b << 32) | split[b], new int[] {b, split[b]});
            }
        }
        int total = 1 + subKeys.size();
        AtomicInteger done = new AtomicInteger();
        progress.report(name() + " search", 0, total);
        Map<Long, Placement> subSolutions = new ConcurrentHashMap<>();
        List<Runnable> tasks = new ArrayList<>();
        Placement[] mixed = new Placement[1];
        tasks.add(() -> {
            mixed[0] = solveEco(problem, problem.search().guided());
            progress.report(name() + " search", done.incrementAndGet(), total);
        });
        final List<int[]> fb = buckets;
        for (Map.Entry<Long, int[]> e : subKeys.entrySet()) {
            tasks.add(() -> {
                int b = e.getValue()[0];
                int devices = e.getValue()[1];
                PlacementProblem sub = problem.restrict(fb.get(b), devices);
                subSolutions.put(e.getKey(), solveEco(sub, false).remapModels(fb.get(b)));
                progress.report(name() + " search", done.incrementAndGet(), total);
            });
        }
        runAll(tasks);
        Placement best = mixed[0];
        double bestScore = problem.score(best).value();
        // A split's score is the sum of its buckets' scores: buckets share no model and no group, so
        // each bucket's requests are simulated alike alone or combined, and attainment, mean latency
        // (over all requests) and replicas all add up. One simulation per sub-solution, not per split.
        Map<Long, Double> subValues = new HashMap<>();
        subSolutions.forEach((k, v) -> subValues.put(k, problem.score(v).value()));
        int[] bestSplit = null;
        double bestSplitValue = Double.NEGATIVE_INFINITY;
        for (int[] split : splits) {
            double v = 0;
            for (int b = 0; b < split.length; b++) {
                v += subValues.get(((long) b << 32) | split[b]);
            }
            if (v > bestSplitValue) {
                bestSplitValue = v;
                bestSplit = split;
            }
        }
        if (bestSplit != null) {
            // The winning split's buckets get the full search (count ranking, guided greedy) too: it
            // includes the fast greedy's candidates, so each bucket, and the split, only improves.
            Placement[] parts = new Placement[bestSplit.length];
            List<Runnable> refine = new ArrayList<>();
            for (int b = 0; b < bestSplit.length; b++) {
                final int fbIdx = b;
                final int devices = bestSplit[b];
                parts[b] = subSolutions.get(((long) b << 32) | devices);
                if (problem.search().guided()) {
                    refine.add(() -> parts[fbIdx] = solveEco(problem.restrict(fb.get(fbIdx), devices), true)
                            .remapModels(fb.get(fbIdx)));
                }
            }
            runAll(refine);
            Placement combined = null;
            for (Placement part : parts) {
                combined = combined == null ? part : combined.concat(part);
            }
            if (problem.score(combined).value() > bestScore) {
                best = combined;
            }
        }
        return best;
    }

    /** How many of the best partitions (by the fast heuristic's score) the guided greedy refines. */
    static final int GUIDED_PARTITIONS = 3;

    /**
     * Best placement of one set of models on the problem's devices (no bucket split): every group
     * partition filled by AlpaServe's fast heuristic; with {@code full}, the best few partitions also
     * by the count-ranked one and by the guided greedy.
     */
    static Placement solveEco(PlacementProblem problem, boolean full) {
        SearchOptions o = problem.search();
        List<Placement> inits = new ArrayList<>();
        for (Placement init : GroupPartitions.enumerate(problem.cluster(), o.maxPp(), o.maxOp())) {
            if (anyUsable(problem, init)) {
                inits.add(init);
            }
        }
        if (inits.isEmpty()) {
            // Nothing fits any enumerated partition: the single-device partition, empty.
            return GroupPartitions.enumerate(problem.cluster(), 1, 1).get(0);
        }
        // AlpaServe's own ranking on every partition: with it the result is never below AlpaServe's search
        Placement[] fast = new Placement[inits.size()];
        double[] fastScores = new double[inits.size()];
        List<Runnable> tasks = new ArrayList<>();
        for (int i = 0; i < inits.size(); i++) {
            final int fi = i;
            tasks.add(() -> {
                fast[fi] = FastGreedyReplication.place(problem, inits.get(fi), FastGreedyReplication.Ranking.ALPASERVE);
                fastScores[fi] = problem.score(fast[fi]).value();
            });
        }
        runAll(tasks);
        Integer[] order = new Integer[inits.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(fastScores[b], fastScores[a]));
        Placement best = fast[order[0]];
        double bestScore = fastScores[order[0]];
        if (full) { // the best few partitions also by the count ranking and the guided greedy
            int k = Math.min(GUIDED_PARTITIONS, order.length);
            Placement[] more = new Placement[2 * k];
            double[] moreScores = new double[2 * k];
            List<Runnable> refine = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                final Placement init = inits.get(order[i]);
                final int ci = 2 * i;
                refine.add(() -> {
                    more[ci] = FastGreedyReplication.place(problem, init, FastGreedyReplication.Ranking.COUNT);
                    moreScores[ci] = problem.score(more[ci]).value();
                });
                refine.add(() -> {
                    more[ci + 1] = SimulatorGuidedGreedy.place(problem, init);
                    moreScores[ci + 1] = problem.score(more[ci + 1]).value();
                });
            }
            runAll(refine);
            for (int i = 0; i < more.length; i++) { // the sequential order: strictly better wins
                if (moreScores[i] > bestScore) {
                    bestScore = moreScores[i];
                    best = more[i];
                }
            }
        }
        return best;
    }

    private static boolean anyUsable(PlacementProblem problem, Placement init) {
        return Arrays.stream(init.configs().toArray(new io.muxflow.planner.profile.ParallelConfig[0]))
                .distinct().anyMatch(problem::usable);
    }

    /**
     * Runs independent tasks: forked when called from a fork/join worker (the caller works and helps
     * while it joins), one after another otherwise.
     */
    static void runAll(List<Runnable> tasks) {
        if (tasks.size() < 2 || !ForkJoinTask.inForkJoinPool()) {
            tasks.forEach(Runnable::run);
            return;
        }
        List<ForkJoinTask<?>> fs = new ArrayList<>();
        for (Runnable t : tasks) {
            fs.add(ForkJoinTask.adapt(t));
        }
        ForkJoinTask.invokeAll(fs); // rethrows a task's RuntimeException
    }
}
