package io.muxflow.planner.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.chain.ChainInputs;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerChain;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.placement.chain.ChainPlanFile;
import io.muxflow.planner.placement.chain.ChainPlanner;
import io.muxflow.planner.sim.chain.OccupancyBounds;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muxflow chain}: server chain composition for an LLM split into blocks across servers. */
@Command(name = "chain", mixinStandardHelpOptions = true,
        description = "Server chain composition (GBP-CR + GCA + JFFC) for a model served as a chain of blocks "
                + "across servers of unequal memory and speed.",
        subcommands = {ChainCommand.Plan.class, ChainSimulateCommand.class})
public final class ChainCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options shared by plan and simulate. */
    public static final class Inputs {
        @Option(names = "--servers", required = true, paramLabel = "S",
                description = "Servers JSON file, or paper:J,ETA for the paper's mix of J servers, a fraction ETA "
                        + "of them fast (40 GB, 156 TFLOP/s, 1.02 GB/ms) and the rest slow (20 GB, 78 TFLOP/s, "
                        + "0.51 GB/ms), RTT 10 ms for all (the paper's simplification); or geo:J,ETA,SEED, the same mix "
                        + "with each server's RTT drawn from a wide-area distribution (median 19 ms) and tau_c computed "
                        + "as the paper does.")
        String servers;

        @Option(names = "--model", required = true, paramLabel = "M",
                description = "Model JSON file, or a built-in model: bloom-176b, llama-2-13b.")
        String model;

        @Option(names = "--rate", required = true, paramLabel = "R", description = "Arrival rate, jobs/s.")
        double rate;

        @Option(names = "--l-in", paramLabel = "N", description = "Prompt tokens per job (default: the model file's, else 2000).")
        Integer lIn;

        @Option(names = "--l-out", paramLabel = "N", description = "Generated tokens per job (default: the model file's, else 20).")
        Integer lOut;

        @Option(names = "--target-load", defaultValue = "0.7", paramLabel = "RHO",
                description = "GBP-CR's target load: chains are added until their rate reaches rate / RHO (default: ${DEFAULT-VALUE}).")
        double targetLoad;

        public ChainInputs load() {
            if (!(rate > 0) || !Double.isFinite(rate)) {
                throw new InvalidInputException("--rate must be a positive number of jobs/s, got " + rate);
            }
            return ChainInputs.load(model, servers, lIn, lOut);
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Place blocks (GBP-CR), allocate cache (GCA) and report the chains JFFC will use, with "
                    + "the paper's and the bound-based choice of the cache reservation c.")
    static final class Plan implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Inputs in;

        @Option(names = "--sim-jobs", defaultValue = "4000", paramLabel = "N",
                description = "Jobs in the simulation that decides between the two rules' choices (default: ${DEFAULT-VALUE}).")
        int simJobs;

        @Option(names = "--seed", defaultValue = "1", description = "First seed of those simulations (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--seeds", defaultValue = "5",
                description = "Seeds the choice is simulated over; the best mean over all wins (default: ${DEFAULT-VALUE}).")
        int seeds;

        @Option(names = "--service", defaultValue = "exponential", paramLabel = "SIZES",
                description = "The job sizes the choice is simulated with: exponential (as the paper's jobs), "
                        + "deterministic, or trace:FILE (one size per line, any unit) (default: ${DEFAULT-VALUE}).")
        String service;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the plan JSON here (input of chain simulate --plan).")
        Path out;

        @Option(names = "--json", description = "End stdout with the plan as one JSON line.")
        boolean json;

        @Option(names = "--job-plan", paramLabel = "FILE",
                description = "Also write a serving plan for the job (bin/muxflow submit/local) whose chains section "
                        + "serves this model on these servers.")
        Path jobPlan;

        @Option(names = "--add-to", paramLabel = "PLAN",
                description = "With --job-plan: start from this serving plan (its groups and other chains are kept; "
                        + "this model's chains section is replaced).")
        Path addTo;

        @Option(names = "--llm", paramLabel = "NAME",
                description = "With --job-plan: the model name requests use (default: the model's name).")
        String llm;

        @Option(names = "--profile", paramLabel = "SHAPE",
                description = "With --job-plan: the model shape the chain servers load, a named shape such as "
                        + "gpt2-chain or a safetensors stem in the model store (default: the --llm name).")
        String profile;

        @Override
        public Integer call() {
            ChainInputs inputs = in.load();
            ChainInstance inst = inputs.instance();
            ChainPlanner.ChainPlan p = ChainPlanner.plan(inst, in.rate, new ChainPlanner.Options(in.targetLoad, simJobs,
                    seed, sizes(service), trace(service), seeds));
            PrintWriter o = spec.commandLine().getOut();
            o.printf("%s: %d blocks of %.3f GB, cache %.4f GB per block per job (l_in %d, l_out %d); %d servers%n",
                    inst.model().name(), inst.blocks(), inst.model().blockGb(), inst.model().cacheGbPerBlock(),
                    inputs.lIn(), inputs.lOut(), inst.size());
            o.printf("cache reservation c in 1..%d; required chain rate %.4f jobs/s (rate %.4f / target load %.2f)%n",
                    p.cMax(), in.rate / in.targetLoad, in.rate, in.targetLoad);
            describe(o, "paper rule (min c x K(c))", p.paperRule(), p.simulated(p.paperRule().c()));
            describe(o, "bound rule (min upper bound)", p.boundRule(), p.simulated(p.boundRule().c()));
            StringBuilder sl = new StringBuilder();
            for (ChainPlanner.Scored s : p.shortlist()) {
                sl.append(String.format(" %s:%.3fs", s.candidate().label().replace(" max-chains", "+max"),
                        s.meanOverSeedsS()));
            }
            o.printf("  simulated shortlist (JFFC, mean response over %d seeds x %d jobs, %s sizes):%s%n",
                    p.options().seeds(), p.options().simJobs(), p.options().sizes().name().toLowerCase(), sl);
            o.printf("chosen: %s (%s); %d servers host blocks; %d chains, %d slots, %.4f jobs/s%n",
                    p.chosen().label(), p.chosenBy(), p.chosen().placement().placement().usedServers(),
                    p.chosen().chains().size(), p.chosen().chains().stream().mapToInt(ServerChain::capacity).sum(),
                    p.chosen().totalRate());
            if (p.runnerUp() != null) {
                o.printf("  runner-up: %s, mean response %.1f%% longer; the choice was the best in %d of %d seeds%n",
                        p.runnerUp().candidate().label(), 100 * p.margin(), p.shortlist().get(0).seedWins(),
                        p.options().seeds());
            }
            List<ServerChain> chains = p.chosen().chains();
            for (int i = 0; i < Math.min(10, chains.size()); i++) {
                ServerChain c = chains.get(i);
                StringBuilder b = new StringBuilder();
                for (int k = 0; k < c.length(); k++) {
                    b.append(k == 0 ? "" : " -> ").append(inst.server(c.servers()[k]).name()).append('(')
                            .append(c.blocks()[k]).append(')');
                }
                o.printf("  chain %d: %.3f s x %d  %s%n", i, c.serviceS(), c.capacity(), b);
            }
            if (chains.size() > 10) {
                o.printf("  ... %d more chains%n", chains.size() - 10);
            }
            if (!p.stable()) {
                spec.commandLine().getErr().printf("warning: the chains serve at most %.4f jobs/s, below the rate %.4f: "
                        + "the system is overloaded and queues grow without bound%n", p.chosen().totalRate(), in.rate);
            }
            o.printf("planned in %.3f s%n", p.planningS());
            ObjectNode j = ChainPlanFile.toJson(p);
            if (out != null) {
                Json.write(out, j);
                o.println("wrote " + out);
            }
            if (jobPlan != null) {
                String name = llm != null ? llm : inst.model().name();
                io.muxflow.planner.plan.ChainDeployment dep = io.muxflow.planner.plan.ChainDeployment.of(name,
                        profile != null ? profile : name, inst, p.chosen().placement().placement(), p.chosen().chains(),
                        inputs.lOut());
                io.muxflow.planner.plan.Plan base = addTo != null ? io.muxflow.planner.plan.Plan.read(addTo)
                        : new io.muxflow.planner.plan.Plan(1, "chains", List.of(), List.of(), Double.NaN, null, null);
                List<io.muxflow.planner.plan.ChainDeployment> chainsOut = new java.util.ArrayList<>(
                        base.chains().stream().filter(c -> !c.model().equals(name)).toList());
                chainsOut.add(dep);
                base.withChains(chainsOut).write(jobPlan);
                o.println("wrote serving plan " + jobPlan + " (chains section for '" + name + "')");
            } else if (addTo != null || llm != null || profile != null) {
                throw new InvalidInputException("--add-to, --llm and --profile go with --job-plan");
            }
            if (json) {
                o.println(Json.compact(j));
            }
            o.flush();
            return 0;
        }

        static ChainPlanner.JobSizes sizes(String service) {
            String s = service.toLowerCase(java.util.Locale.ROOT);
            if (s.startsWith("trace:")) {
                return ChainPlanner.JobSizes.TRACE;
            }
            return switch (s) {
                case "exponential" -> ChainPlanner.JobSizes.EXPONENTIAL;
                case "deterministic" -> ChainPlanner.JobSizes.DETERMINISTIC;
                default -> throw new InvalidInputException("--service must be exponential, deterministic or trace:FILE, got '"
                        + service + "'");
            };
        }

        static double[] trace(String service) {
            if (!service.toLowerCase(java.util.Locale.ROOT).startsWith("trace:")) {
                return null;
            }
            Path f = Path.of(service.substring(6));
            try {
                return java.nio.file.Files.readAllLines(f).stream().map(String::trim).filter(l -> !l.isEmpty())
                        .mapToDouble(Double::parseDouble).toArray();
            } catch (java.io.IOException e) {
                throw new InvalidInputException("--service " + service + ": cannot read " + f + ": " + e.getMessage());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--service " + service + ": every line must be a number: " + e.getMessage());
            }
        }

        private static void describe(PrintWriter o, String label, ChainPlanner.Candidate c,
                io.muxflow.planner.sim.chain.ChainSimResult sim) {
            OccupancyBounds.Bounds b = c.bounds();
            o.printf("  %-30s c = %d, GBP-CR chains K = %d (c x K = %d, rate %s), GCA chains %d, %.4f jobs/s, "
                    + "mean response bound %s%s%n", label, c.c(), c.placement().chains(), c.placement().slots(),
                    c.placement().rateMet() ? "met" : "NOT met", c.chains().size(), c.totalRate(),
                    b.stable() ? String.format("[%.3f, %.3f] s", b.lowerResponseS(), b.upperResponseS()) : "unstable",
                    sim == null ? "" : String.format(", simulated mean %.3f s", sim.meanResponseS()));
        }
    }
}
