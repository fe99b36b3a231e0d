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
 * misjudges capacity) and the upper bound is pessimistic when chains differ in speed, a short JFFC
 * simulation decides among a shortlist: both rules' choices and the three best c by each bound.
 */
public final class ChainPlanner {
    /** How many c by each bound enter the simulated shortlist. */
    static final int SHORTLIST_PER_BOUND = 3;

    /**
     * Planning options.
     *
     * @param targetLoad GBP-CR's target load: chains are added until their rate reaches rate / this
     * @param simJobs jobs in the simulation that decides among the shortlist
     * @param seed seed of that simulation's arrivals
     */
    public record Options(double targetLoad, int simJobs, long seed) {
        public Options {
            if (!(targetLoad > 0) || targetLoad > 1) {
                throw new InvalidInputException("target load must be in (0, 1], got " + targetLoad);
            }
            if (simJobs < 100) {
                throw new InvalidInputException("simulation jobs must be >= 100, got " + simJobs);
            }
        }

        public static Options defaults() {
            return new Options(0.7, 4000, 1);
        }
    }

    /** One evaluated reservation: GBP-CR's outcome, GCA's chains and the JFFC bounds. */
    public record Candidate(int c, GreedyBlockPlacement.Result placement, List<ServerChain> chains,
            OccupancyBounds.Bounds bounds) {
        public double totalRate() {
            return GreedyCacheAllocation.totalRate(chains);
        }
    }

    /** A shortlisted candidate with its simulated JFFC statistics. */
    public record Scored(Candidate candidate, ChainSimResult sim) {
    }

    /**
     * The plan.
     *
     * @param cMax the largest reservation with enough memory for L blocks
     * @param paperRule the paper's choice of c
     * @param boundRule the choice by smallest upper bound on mean response
     * @param chosen the one served: the shortlist's best simulated mean response
     * @param chosenBy "paper", "bound", "both" (the two rules agree and it won) or "shortlist"
     * @param shortlist the simulated candidates, best first
     * @param planningS wall time of planning
     */
    public record ChainPlan(ChainInstance instance, double arrivalRate, Options options, int cMax,
            Candidate paperRule, Candidate boundRule, Candidate chosen, String chosenBy, List<Scored> shortlist,
            double planningS) {
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
        List<Candidate> all = IntStream.rangeClosed(1, cMax).parallel()
                .mapToObj(c -> evaluate(inst, c, required, arrivalRate)).filter(Objects::nonNull).toList();
        if (all.isEmpty()) {
            throw new InvalidInputException("infeasible: no cache reservation forms a complete chain");
        }
        Candidate paper = all.stream().filter(c -> c.placement().rateMet())
                .min(Comparator.comparingLong((Candidate c) -> c.placement().slots()).thenComparingInt(Candidate::c))
                .orElseGet(() -> all.stream().max(Comparator.comparingDouble((Candidate c) -> c.placement().serviceRate())
                        .thenComparing(Candidate::c, Comparator.reverseOrder())).orElseThrow());
        List<Candidate> byUpper = all.stream().filter(c -> c.bounds().stable())
                .sorted(Comparator.comparingDouble((Candidate c) -> c.bounds().upperResponseS())
                        .thenComparingInt(Candidate::c)).toList();
        Candidate bound = byUpper.isEmpty()
                ? all.stream().max(Comparator.comparingDouble(Candidate::totalRate)
                        .thenComparing(Candidate::c, Comparator.reverseOrder())).orElseThrow()
                : byUpper.get(0);
        Map<Integer, Candidate> shortlist = new LinkedHashMap<>();
        shortlist.put(paper.c(), paper);
        shortlist.put(bound.c(), bound);
        byUpper.stream().limit(SHORTLIST_PER_BOUND).forEach(c -> shortlist.putIfAbsent(c.c(), c));
        all.stream().filter(c -> c.bounds().stable())
                .sorted(Comparator.comparingDouble((Candidate c) -> c.bounds().lowerResponseS())
                        .thenComparingInt(Candidate::c))
                .limit(SHORTLIST_PER_BOUND).forEach(c -> shortlist.putIfAbsent(c.c(), c));
        double[] arrivals = ChainArrivals.poisson(arrivalRate, o.simJobs(), o.seed());
        List<Scored> scored = shortlist.values().stream().map(c -> new Scored(c, simulate(c, arrivals)))
                .sorted(Comparator.comparingDouble((Scored s) -> s.sim().meanResponseS())
                        .thenComparingInt(s -> s.candidate().c())).toList();
        Candidate chosen = scored.get(0).candidate();
        String by = chosen.c() == paper.c() && chosen.c() == bound.c() ? "both"
                : chosen.c() == paper.c() ? "paper" : chosen.c() == bound.c() ? "bound" : "shortlist";
        return new ChainPlan(inst, arrivalRate, o, cMax, paper, bound, chosen, by, scored,
                (System.nanoTime() - t0) / 1e9);
    }

    /** GBP-CR then GCA for one c; null when GBP-CR forms no complete chain. */
    public static Candidate evaluate(ChainInstance inst, int c, double requiredRate, double arrivalRate) {
        GreedyBlockPlacement.Result r = GreedyBlockPlacement.place(inst, c, requiredRate);
        if (r.chains() == 0) {
            return null;
        }
        List<ServerChain> chains = GreedyCacheAllocation.allocate(inst, r.placement());
        return new Candidate(c, r, chains, OccupancyBounds.of(chains, arrivalRate));
    }

    private static ChainSimResult simulate(Candidate c, double[] arrivals) {
        return ChainSimulator.run(arrivals, new JffcRouter(c.chains()), ChainSimulator.Service.DETERMINISTIC, 7, 0.1);
    }
}
