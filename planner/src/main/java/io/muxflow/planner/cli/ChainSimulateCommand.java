package io.muxflow.planner.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInputs;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerChain;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.placement.chain.ChainPlanFile;
import io.muxflow.planner.placement.chain.ChainPlanner;
import io.muxflow.planner.placement.chain.GreedyCacheAllocation;
import io.muxflow.planner.placement.chain.PetalsPlacement;
import io.muxflow.planner.placement.chain.WholeModelReplicas;
import io.muxflow.planner.sim.chain.ChainArrivals;
import io.muxflow.planner.sim.chain.ChainRouter;
import io.muxflow.planner.sim.chain.ChainSimResult;
import io.muxflow.planner.sim.chain.ChainSimulator;
import io.muxflow.planner.sim.chain.OccupancyBounds;
import io.muxflow.planner.sim.chain.PetalsRouter;
import io.muxflow.planner.workload.TraceCsv;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muxflow chain simulate}: response times of a placement and router on simulated arrivals. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulate chain-structured jobs: GBP-CR + GCA chains (or a plan file, or whole-model replicas) "
                + "under JFFC, JSQ or SED, or the Petals baseline's placement and routing.")
final class ChainSimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ChainCommand.Inputs in;

    @Option(names = "--policy", defaultValue = "gbp-cr", paramLabel = "P",
            description = "gbp-cr (GBP-CR + GCA), petals (Petals placement and routing) or replicas (whole-model "
                    + "replicas on servers that fit them) (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--plan", paramLabel = "FILE", description = "Use the chains of this plan (from chain plan --out).")
    Path plan;

    @Option(names = "--router", defaultValue = "jffc", paramLabel = "R",
            description = "jffc, jsq or sed, for chain policies (default: ${DEFAULT-VALUE}).")
    String router;

    @Option(names = "--jobs", defaultValue = "10000", paramLabel = "N", description = "Jobs to simulate (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--cv", defaultValue = "1", paramLabel = "CV",
            description = "Coefficient of variation of inter-arrival gaps: 1 = Poisson (default: ${DEFAULT-VALUE}).")
    double cv;

    @Option(names = "--trace", paramLabel = "CSV", description = "Arrival times from a trace (arrival_s,model[,slo_s]) instead of --jobs/--cv.")
    Path trace;

    @Option(names = "--service", defaultValue = "deterministic", paramLabel = "S",
            description = "deterministic (each chain's service time) or exponential with that mean (default: ${DEFAULT-VALUE}).")
    String service;

    @Option(names = "--warmup", defaultValue = "0.1", paramLabel = "F",
            description = "Leading fraction of jobs left out of the statistics (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--petals-cache-tokens", defaultValue = "4096", paramLabel = "T",
            description = "Attention-cache tokens a Petals server reserves per block when choosing its block count "
                    + "(default: ${DEFAULT-VALUE}).")
    int petalsCacheTokens;

    @Option(names = "--petals-penalty-s", defaultValue = "10", paramLabel = "S",
            description = "Routing penalty for a Petals server without free cache, seconds (default: ${DEFAULT-VALUE}).")
    double petalsPenalty;

    @Option(names = "--json", description = "End stdout with one JSON line of statistics.")
    boolean json;

    @Override
    public Integer call() {
        ChainInputs inputs = in.load();
        ChainInstance inst = inputs.instance();
        if (jobs < 10) {
            throw new InvalidInputException("--jobs must be >= 10, got " + jobs);
        }
        if (!(warmup >= 0) || warmup >= 1) {
            throw new InvalidInputException("--warmup must be in [0, 1), got " + warmup);
        }
        ChainSimulator.Service svc = switch (service.toLowerCase(Locale.ROOT)) {
            case "deterministic" -> ChainSimulator.Service.DETERMINISTIC;
            case "exponential" -> ChainSimulator.Service.EXPONENTIAL;
            default -> throw new InvalidInputException("--service must be deterministic or exponential, got " + service);
        };
        double[] arrivals = trace != null ? TraceCsv.read(trace, null).arrivals()
                : ChainArrivals.gamma(in.rate, checkCv(cv), jobs, seed);
        if (arrivals.length < 10) {
            throw new InvalidInputException(trace + ": needs at least 10 arrivals, has " + arrivals.length);
        }
        if (plan != null && !policy.equalsIgnoreCase("gbp-cr")) {
            throw new InvalidInputException("--plan gives the chains; it cannot be combined with --policy " + policy);
        }
        String pol = plan != null ? "plan" : policy.toLowerCase(Locale.ROOT);
        List<ServerChain> chains = null;
        ChainRouter r;
        PrintWriter o = spec.commandLine().getOut();
        switch (pol) {
            case "plan" -> chains = ChainPlanFile.readChains(plan, inst);
            case "gbp-cr" -> {
                ChainPlanner.ChainPlan p = ChainPlanner.plan(inst, in.rate,
                        new ChainPlanner.Options(in.targetLoad, 4000, seed));
                o.printf("GBP-CR + GCA: c = %d (%s rule), %d chains%n", p.chosen().c(), p.chosenBy(),
                        p.chosen().chains().size());
                chains = p.chosen().chains();
            }
            case "replicas" -> {
                chains = WholeModelReplicas.chains(inst);
                if (chains.isEmpty()) {
                    throw new InvalidInputException("no server holds all " + inst.blocks() + " blocks of "
                            + inst.model().name() + " with cache for one job: whole-model replicas do not fit");
                }
            }
            case "petals" -> {
            }
            default -> throw new InvalidInputException("--policy must be gbp-cr, petals or replicas, got " + policy);
        }
        if (chains == null) {
            double cacheJobs = (double) petalsCacheTokens / (inputs.lIn() + inputs.lOut());
            BlockPlacement pp = PetalsPlacement.place(inst, cacheJobs);
            if (!pp.coversAllBlocks()) {
                throw new InvalidInputException("Petals' placement leaves blocks unserved: the servers are too few");
            }
            o.printf("Petals placement: %d servers host blocks%n", pp.usedServers());
            r = new PetalsRouter(inst, pp, petalsPenalty);
        } else {
            if (!List.of("jffc", "jsq", "sed").contains(router.toLowerCase(Locale.ROOT))) {
                throw new InvalidInputException("--router must be jffc, jsq or sed, got " + router
                        + (router.equalsIgnoreCase("petals") ? " (Petals' routing comes with its placement: --policy petals)"
                                : ""));
            }
            r = io.muxflow.planner.sim.chain.ChainRouters.create(router, inst, null, chains, 0);
        }
        ChainSimResult res = ChainSimulator.run(arrivals, r, svc, seed, warmup);
        o.printf("%s: %d jobs measured at %.4f jobs/s: response mean %.3f s, p50 %.3f s, p95 %.3f s, p99 %.3f s; "
                + "wait %.3f s, service %.3f s; %.2f jobs in system%n", r.name(), res.jobs(), res.arrivalRate(),
                res.meanResponseS(), res.p50ResponseS(), res.p95ResponseS(), res.p99ResponseS(), res.meanWaitS(),
                res.meanServiceS(), res.meanJobsInSystem());
        ObjectNode j = res.toJson();
        j.put("policy", pol);
        if (chains != null) {
            OccupancyBounds.Bounds b = OccupancyBounds.of(chains, in.rate);
            if (b.stable()) {
                o.printf("JFFC occupancy bounds (Poisson arrivals, exponential service): [%.3f, %.3f] jobs, "
                        + "mean response [%.3f, %.3f] s%n", b.lowerJobs(), b.upperJobs(), b.lowerResponseS(),
                        b.upperResponseS());
                j.put("bound_lower_jobs", b.lowerJobs());
                j.put("bound_upper_jobs", b.upperJobs());
            } else {
                o.printf("the chains serve at most %.4f jobs/s, below the rate: overloaded%n",
                        GreedyCacheAllocation.totalRate(chains));
            }
        }
        if (json) {
            o.println(Json.compact(j));
        }
        o.flush();
        return 0;
    }

    private static double checkCv(double cv) {
        if (!(cv >= 0) || !Double.isFinite(cv)) {
            throw new InvalidInputException("--cv must be >= 0, got " + cv);
        }
        return cv;
    }
}
