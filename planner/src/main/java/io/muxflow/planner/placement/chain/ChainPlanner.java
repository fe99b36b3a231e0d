package io.muxflow.planner.placement.chain;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerChain;
import io.muxflow.planner.sim.chain.ChainArrivals;
import io.muxflow.planner.sim.chain.ChainSimResult;
import io.muxflow.planner.sim.chain.ChainSimulator;
import io.muxflow.planner.sim.chain.JffcRouter;
import io.muxflow.planner.sim.chain.OccupancyBounds;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Server chain composition end to end (Sun, He, Hou): GBP-CR for each cache reservation
 * {@code c = 1..c_max}, GCA on its placement, JFFC to serve. Two rules choose c: the paper's
 * (among the c whose chains reach {@code rate / target load}, the smallest {@code c x K(c)}) and
 * ours (the smallest upper bound on mean response time under JFFC after GCA, from
 * {@link OccupancyBounds}). Because GCA may give chains far more cache than c (so the paper's rule
 * misjudges capacity) and the upper bound is pessimistic when chains differ in speed, JFFC
 * simulations decide among a shortlist: both rules' choices, the three best by each bound, and the
 * largest max-chains placement (GBP-CR without its early stop). They run the job-size model the user
 * states (exponential by default, as the paper's jobs), over several seeds with the same arrivals
 * and sizes for every candidate; the best mean over all seeds is chosen, and the plan reports the
 * runner-up, the margin and in how many seeds the choice was the best.
 */
public final class ChainPlanner {
    /** How many c by each bound enter the simulated shortlist. */
    static final int SHORTLIST_PER_BOUND = 3;

    /** The job-size model the choice of c is simulated under. */
    public enum JobSizes {
        /** Exponential sizes, as the paper's jobs (and chain simulate --service exponential). */
        EXPONENTIAL,
        /** Every job the same size. */
        DETERMINISTIC,
        /** Sizes drawn (with replacement) from a trace of observed sizes. */
        TRACE
    }

    /**
     * Planning options.
     *
     * @param targetLoad GBP-CR's target load: chains are added until their rate reaches rate / this
     * @param simJobs jobs per seed in the simulations that decide among the shortlist
     * @param seed first seed of those simulations' arrivals and sizes
     * @param sizes the job-size model they assume
     * @param trace the sizes of {@link JobSizes#TRACE} (any unit: they are normalized to mean 1)
     * @param seeds how many seeds; the choice is the best mean over all of them
     */
    public record Options(double targetLoad, int simJobs, long seed, JobSizes sizes, double[] trace, int seeds) {
        public Options {
            if (!(targetLoad > 0) || targetLoad > 1) {
                throw new InvalidInputException("target load must be in (0, 1], got " + targetLoad);
            }
            if (simJobs < 100) {
                throw new InvalidInputException("simulation jobs must be >= 100, got " + simJobs);
            }
            if (seeds < 1) {
                throw new InvalidInputException("seeds must be >= 1, got " + seeds);
            }
            if (sizes == JobSizes.TRACE && (trace == null || trace.length == 0)) {
                throw new InvalidInputException("job sizes 'trace' need a trace of sizes");
            }
            if (trace != null) {
                for (double x : trace) {
                    if (!(x > 0) || !Double.isFinite(x)) {
                        throw new InvalidInputException("job sizes in a trace must be positive numbers, got " + x);
                    }
                }
            }
        }

        /** Exponential sizes over 5 seeds. */
        public Options(double targetLoad, int simJobs, long seed) {
            this(targetLoad, simJobs, seed, JobSizes.EXPONENTIAL, null, 5);
        }

        public static Options defaults() {
            return new Options(0.7, 4000, 1);
        }

        /** Job sizes for one seed's simulation, mean 1. */
        double[] draw(int jobs, long s) {
            double[] out = new double[jobs];
            java.util.SplittableRandom rng = new java.util.SplittableRandom(s * 0x9E3779B97F4A7C15L + 17);
            double mean = trace == null ? 1 : java.util.Arrays.stream(trace).average().orElse(1);
            for (int i = 0; i < jobs; i++) {
                out[i] = switch (sizes) {
                    case EXPONENTIAL -> -Math.log(1 - rng.nextDouble());
                    case DETERMINISTIC -> 1.0;
                    case TRACE -> trace[rng.nextInt(trace.length)] / mean;
                };
            }
            return out;
        }
    }

    /**
     * One evaluated reservation: GBP-CR's outcome (stopping at the required rate, or with every chain
     * the servers allow), GCA's chains and the JFFC bounds.
     */
    public record Candidate(int c, boolean maxChains, GreedyBlockPlacement.Result placement, List<ServerChain> chains,
            OccupancyBounds.Bounds bounds) {
        public double totalRate() {
            return GreedyCacheAllocation.totalRate(chains);
        }

        /** "c=7" or "c=7 max-chains". */
        public String label() {
            return "c=" + c + (maxChains ? " max-chains" : "");
        }
    }

    /**
     * A shortlisted candidate with its simulated JFFC statistics: those of the first seed, the mean
     * response over all seeds, and in how many seeds it was the best of the shortlist.
     */
    public record Scored(Candidate candidate, ChainSimResult sim, double meanOverSeedsS, int seedWins) {
    }

    /**
     * The plan.
     *
     * @param cMax the largest reservation with enough memory for L blocks
     * @param paperRule the paper's choice of c
     * @param boundRule the choice by smallest upper bound on mean response
     * @param chosen the one served: the shortlist's best simulated mean response
     * @param chosenBy "paper", "bound", "both" (the two rules agree and it won) or "shortlist"
     * @param shortlist the simulated candidates, best mean over the seeds first (the second is the runner-up)
     * @param planningS wall time of planning
     */
    public record ChainPlan(ChainInstance instance, double arrivalRate, Options options, int cMax,
            Candidate paperRule, Candidate boundRule, Candidate chosen, String chosenBy, List<Scored> shortlist,
            double planningS) {
        /** The second best of the shortlist, or null when there was one candidate. */
        public Scored runnerUp() {
            return shortlist.size() > 1 ? shortlist.get(1) : null;
        }

        /** How much longer the runner-up's mean response is than the chosen one's (0 without a runner-up). */
        public double margin() {
            Scored r = runnerUp();
            return r == null ? 0 : r.meanOverSeedsS() / shortlist.get(0).meanOverSeedsS() - 1;
        }

        /** The share of seeds in which the chosen candidate was the shortlist's best. */
        public double stability() {
            return (double) shortlist.get(0).seedWins() / options.seeds();
        }

        /** Whether the chosen chains can serve the arrival rate at all. */
        public boolean stable() {
            return chosen.bounds().stable();
        }

        /** The simulated statistics of reservation c, or null when it was not shortlisted. */
        public ChainSimResult simulated(int c) {
            return shortlist.stream().filter(s -> s.candidate().c() == c).map(Scored::sim).findFirst().orElse(null);
        }
    }

    private ChainPlanner() {
    }

    public static ChainPlan plan(ChainInstance inst, double arrivalRate, Options o) {
        if (!(arrivalRate > 0) || !Double.isFinite(arrivalRate)) {
            throw new InvalidInputException("arrival rate must be a positive number of jobs/s, got " + arrivalRate);
        }
        long t0 = System.nanoTime();
        int cMax = inst.maxReservation();
        if (cMax < 1) {
            long total = IntStream.range(0, inst.size()).mapToLong(j -> inst.blocksFitting(j, 1)).sum();
            throw new InvalidInputException("infeasible: reserving cache for one job per block, the servers hold "
                    + total + " blocks in total but " + inst.model().name() + " has " + inst.blocks());
        }
        double required = arrivalRate / o.targetLoad();
        List<Candidate> evaluated = IntStream.rangeClosed(1, cMax).parallel().boxed()
                .flatMap(c -> java.util.stream.Stream.of(evaluate(inst, c, required, arrivalRate, false),
                        evaluate(inst, c, required, arrivalRate, true)))
                .filter(Objects::nonNull).toList();
        // a max-chains variant that forms no more chains than the early stop is the same placement
        List<Candidate> all = evaluated.stream().filter(c -> !c.maxChains() || evaluated.stream().noneMatch(
                e -> !e.maxChains() && e.c() == c.c() && e.placement().chains() == c.placement().chains())).toList();
        List<Candidate> early = all.stream().filter(c -> !c.maxChains()).toList();
        if (all.isEmpty()) {
            throw new InvalidInputException("infeasible: no cache reservation forms a complete chain");
        }
        Candidate paper = early.stream().filter(c -> c.placement().rateMet())
                .min(Comparator.comparingLong((Candidate c) -> c.placement().slots()).thenComparingInt(Candidate::c))
                .orElseGet(() -> early.stream().max(Comparator.comparingDouble((Candidate c) -> c.placement().serviceRate())
                        .thenComparing(Candidate::c, Comparator.reverseOrder())).orElseThrow());
        List<Candidate> byUpper = all.stream().filter(c -> c.bounds().stable())
                .sorted(Comparator.comparingDouble((Candidate c) -> c.bounds().upperResponseS())
                        .thenComparingInt(Candidate::c)).toList();
        Candidate bound = byUpper.isEmpty()
                ? all.stream().max(Comparator.comparingDouble(Candidate::totalRate)
                        .thenComparing(Candidate::c, Comparator.reverseOrder())).orElseThrow()
                : byUpper.get(0);
        Map<String, Candidate> shortlist = new LinkedHashMap<>();
        shortlist.put(paper.label(), paper);
        shortlist.put(bound.label(), bound);
        byUpper.stream().limit(SHORTLIST_PER_BOUND).forEach(c -> shortlist.putIfAbsent(c.label(), c));
        all.stream().filter(c -> c.bounds().stable())
                .sorted(Comparator.comparingDouble((Candidate c) -> c.bounds().lowerResponseS())
                        .thenComparingInt(Candidate::c))
                .limit(SHORTLIST_PER_BOUND).forEach(c -> shortlist.putIfAbsent(c.label(), c));
        // the largest-c max-chains candidate too: where more chains pay off, it is the one that shows it
        all.stream().filter(Candidate::maxChains).filter(c -> c.bounds().stable())
                .max(Comparator.comparingDouble(Candidate::totalRate)).ifPresent(c -> shortlist.putIfAbsent(c.label(), c));
        // candidates whose GCA chains are the same serve the same way: keep one (the smallest c, early stop first)
        List<Candidate> list = new java.util.ArrayList<>();
        shortlist.values().stream().sorted(Comparator.comparingInt(Candidate::c).thenComparing(Candidate::maxChains))
                .forEach(c -> {
                    if (list.stream().noneMatch(x -> x.chains().equals(c.chains()))) {
                        list.add(c);
                    }
                });
        // every candidate sees the same arrivals and job sizes in a seed (common random numbers)
        double[][] means = new double[list.size()][o.seeds()];
        ChainSimResult[] first = new ChainSimResult[list.size()];
        for (int seed = 0; seed < o.seeds(); seed++) {
            double[] arrivals = ChainArrivals.poisson(arrivalRate, o.simJobs(), o.seed() + seed);
            double[] sizes = o.draw(o.simJobs(), o.seed() + seed);
            for (int i = 0; i < list.size(); i++) {
                ChainSimResult r = ChainSimulator.run(arrivals, sizes, new JffcRouter(list.get(i).chains()), 0.1);
                means[i][seed] = r.meanResponseS();
                if (seed == 0) {
                    first[i] = r;
                }
            }
        }
        int[] wins = new int[list.size()];
        for (int seed = 0; seed < o.seeds(); seed++) {
            int best = 0;
            for (int i = 1; i < list.size(); i++) {
                if (means[i][seed] < means[best][seed]) {
                    best = i;
                }
            }
            wins[best]++;
        }
        List<Scored> scored = new java.util.ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            scored.add(new Scored(list.get(i), first[i], java.util.Arrays.stream(means[i]).average().orElse(0), wins[i]));
        }
        scored.sort(Comparator.comparingDouble(Scored::meanOverSeedsS).thenComparingInt(x -> x.candidate().c()));
        Candidate chosen = scored.get(0).candidate();
        String by = chosen == paper && chosen == bound ? "both"
                : chosen == paper ? "paper" : chosen == bound ? "bound" : "shortlist";
        return new ChainPlan(inst, arrivalRate, o, cMax, paper, bound, chosen, by, List.copyOf(scored),
                (System.nanoTime() - t0) / 1e9);
    }

    /** GBP-CR then GCA for one c; null when GBP-CR forms no complete chain. */
    public static Candidate evaluate(ChainInstance inst, int c, double requiredRate, double arrivalRate) {
        return evaluate(inst, c, requiredRate, arrivalRate, false);
    }

    public static Candidate evaluate(ChainInstance inst, int c, double requiredRate, double arrivalRate,
            boolean maxChains) {
        GreedyBlockPlacement.Result r = GreedyBlockPlacement.place(inst, c, requiredRate, maxChains);
        if (r.chains() == 0) {
            return null;
        }
        List<ServerChain> chains = GreedyCacheAllocation.allocate(inst, r.placement());
        return new Candidate(c, maxChains, r, chains, OccupancyBounds.of(chains, arrivalRate));
    }
}
