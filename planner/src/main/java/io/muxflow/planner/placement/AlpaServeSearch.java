package io.muxflow.planner.placement;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.plan.Plan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Independent sub-searches run on {@code threads} worker threads.
 */
public final class AlpaServeSearch implements PlacementPolicy {
    @Override
    public String name() {
        return "alpaserve";
    }

    @Override
    public Plan place(PlacementProblem problem, SearchProgress progress) {
        Placement best = solve(problem, progress);
        return Plans.withPrediction(Plan.of(best, problem.models(), name(), 1), problem);
    }

    public Placement solve(PlacementProblem problem, SearchProgress progress) {
        int threads = problem.search().threads();
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "alpaserve-search");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            return solve(problem, progress, pool);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private Placement solve(PlacementProblem problem, SearchProgress progress, ExecutorService pool) {
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
        progress.report("alpaserve search", 0, total);
        Map<Long, Placement> subSolutions = new ConcurrentHashMap<>();
        List<Runnable> tasks = new ArrayList<>();
        Placement[] mixed = new Placement[1];
        tasks.add(() -> {
            mixed[0] = solveEco(problem, problem.search().guided());
            progress.report("alpaserve search", done.incrementAndGet(), total);
        });
        final List<int[]> fb = buckets;
        for (Map.Entry<Long, int[]> e : subKeys.entrySet()) {
            tasks.add(() -> {
                int b = e.getValue()[0];
                int devices = e.getValue()[1];
                PlacementProblem sub = problem.restrict(fb.get(b), devices);
                subSolutions.put(e.getKey(), solveEco(sub, false).remapModels(fb.get(b)));
                progress.report("alpaserve search", done.incrementAndGet(), total);
            });
        }
        runAll(tasks, pool);
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
            runAll(refine, pool);
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
        List<Placement> fast = new ArrayList<>();
        List<Double> fastScores = new ArrayList<>();
        for (Placement init : GroupPartitions.enumerate(problem.cluster(), o.maxPp(), o.maxOp())) {
            if (!anyUsable(problem, init)) {
                continue;
            }
            // AlpaServe's own ranking: with it the result is never below AlpaServe's search
            Placement f = FastGreedyReplication.place(problem, init, FastGreedyReplication.Ranking.ALPASERVE);
            inits.add(init);
            fast.add(f);
            fastScores.add(problem.score(f).value());
        }
        if (inits.isEmpty()) {
            // Nothing fits any enumerated partition: the single-device partition, empty.
            return GroupPartitions.enumerate(problem.cluster(), 1, 1).get(0);
        }
        Integer[] order = new Integer[inits.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(fastScores.get(b), fastScores.get(a)));
        Placement best = fast.get(order[0]);
        double bestScore = fastScores.get(order[0]);
        if (full) { // the best few partitions also by the count ranking and the guided greedy
            for (int i = 0; i < Math.min(GUIDED_PARTITIONS, order.length); i++) {
                Placement c = FastGreedyReplication.place(problem, inits.get(order[i]),
                        FastGreedyReplication.Ranking.COUNT);
                double cs = problem.score(c).value();
                if (cs > bestScore) {
                    bestScore = cs;
                    best = c;
                }
                Placement g = SimulatorGuidedGreedy.place(problem, inits.get(order[i]));
                double s = problem.score(g).value();
                if (s > bestScore) {
                    bestScore = s;
                    best = g;
                }
            }
        }
        return best;
    }

    private static boolean anyUsable(PlacementProblem problem, Placement init) {
        return Arrays.stream(init.configs().toArray(new io.muxflow.planner.profile.ParallelConfig[0]))
                .distinct().anyMatch(problem::usable);
    }

    private static void runAll(List<Runnable> tasks, ExecutorService pool) {
        if (pool == null) {
            tasks.forEach(Runnable::run);
            return;
        }
        List<Future<?>> fs = new ArrayList<>();
        for (Runnable t : tasks) {
            fs.add(pool.submit(t));
        }
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("search interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }
}
