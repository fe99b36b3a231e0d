package io.muxflow.planner.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.placement.Cluster;
import io.muxflow.planner.placement.PlacementProblem;
import io.muxflow.planner.placement.Policies;
import io.muxflow.planner.placement.SearchOptions;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.sim.SimOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code muxflow plan}: profiles + workload + cluster + policy -> plan JSON with predicted attainment. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Search a placement: cut the devices into groups, choose each group's parallel "
                + "configuration and the models it serves, to maximize simulated SLO attainment.")
public final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--profiles", required = true, paramLabel = "P",
            description = "Profile JSON file(s), comma-separated; 'analytic:v100' or 'analytic:a100' adds the "
                    + "cost model's profiles of the named shapes (bert-base .. bert-13b).")
    String profiles;

    @Option(names = "--workload", required = true, paramLabel = "W", description = "Workload JSON (generated, trace or Azure replay).")
    Path workload;

    @Option(names = "--devices", required = true, paramLabel = "N", description = "Number of devices (GPUs).")
    int devices;

    @Option(names = "--mem-gb", required = true, paramLabel = "G",
            description = "Weight memory per device in GB (2^30 bytes, as AlpaServe).")
    double memGb;

    @Option(names = "--policy", defaultValue = "alpaserve", paramLabel = "POLICY",
            description = "sr | clockwork++ | alpaserve | alpaserve-published (AlpaServe's own search, without "
                    + "muxflow's refinement; default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--slo-scale", paramLabel = "S",
            description = "SLO = S x single-device latency for models whose workload entry gives no slo_s.")
    Double sloScale;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the plan JSON here.")
    Path out;

    @Option(names = "--json", description = "End stdout with one JSON line: attainment, per_model, search_seconds, plan.")
    boolean json;

    @Option(names = "--alpaserve-compat", description = "Score with AlpaServe's exact simulator semantics (float32, its overheads).")
    boolean compat;

    @Option(names = "--devices-per-node", defaultValue = "8", description = "Devices per node (default: ${DEFAULT-VALUE}).")
    int perNode;

    @Option(names = "--beam", defaultValue = "1", description = "Beam width of the replica search (1 = greedy; default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--window-s", defaultValue = "30", description = "clockwork++ re-planning window in seconds (default: ${DEFAULT-VALUE}).")
    double window;

    @Option(names = "--threads", description = "Search threads (default: all cores).")
    Integer threads;

    @Option(names = "--max-op", defaultValue = "4", paramLabel = "N",
            description = "Largest intra-operator degree (devices per stage) to consider; 1 for the cuda backend, which "
                    + "runs a stage on one GPU (default: ${DEFAULT-VALUE}, AlpaServe's).")
    int maxOp;

    @Option(names = "--batching", paramLabel = "MAX",
            description = "Score plans with batching up to this batch size (the profiles' batch sizes), as the job "
                    + "serves them with muxflow.dispatch.max-batch set to the same (2 or more). Default: no batching.")
    Integer batching;

    @Override
    public Integer call() {
        if (devices < 1) {
            throw new io.muxflow.planner.InvalidInputException("--devices must be >= 1, got " + devices);
        }
        if (!(memGb > 0)) {
            throw new io.muxflow.planner.InvalidInputException("--mem-gb must be > 0, got " + memGb);
        }
        var pol = Policies.byName(policy);
        PlanningInputs in = PlanningInputs.load(profiles, workload, sloScale);
        if (maxOp < 1) {
            throw new io.muxflow.planner.InvalidInputException("--max-op must be >= 1, got " + maxOp);
        }
        SearchOptions so = SearchOptions.defaults().withBeam(beam).withWindow(window).withMaxOp(maxOp);
        if (threads != null) {
            so = so.withThreads(threads);
        }
        SimOptions sim = CliSupport.batching(compat ? SimOptions.alpaServe() : SimOptions.defaults(), batching);
        Cluster cluster = new Cluster(devices, (long) (memGb * Cluster.GIB), perNode);
        PlacementProblem problem = new PlacementProblem(in.profilesByModel(), in.workload(), cluster, sim, so);
        var err = spec.commandLine().getErr();
        var outw = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        Plan plan = pol.place(problem, CliSupport.progress(err, "plan"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (out != null) {
            plan.write(out);
        }
        outw.printf("policy %s on %d devices (%.1f GB each): %d requests of %d models%n", policy, devices, memGb,
                in.workload().size(), in.workload().models().size());
        for (Plan.Group g : plan.groups()) {
            outw.printf("  group %d: %d devices op=%d pp=%d models=%s%n", g.id(), g.devices(), g.op(), g.pp(), g.models());
        }
        if (plan.timeVarying()) {
            outw.printf("  (%d segments; groups above are the first)%n", plan.segments().size());
        }
        outw.printf("predicted attainment %.4f, search %.2f s%s%n", plan.predictedAttainment(), seconds,
                out != null ? ", plan written to " + out : "");
        if (json) {
            ObjectNode o = Json.object();
            o.put("policy", policy);
            o.put("attainment", plan.predictedAttainment());
            ObjectNode pm = o.putObject("per_model");
            plan.predictedPerModel().forEach(pm::put);
            o.put("search_seconds", seconds);
            o.set("plan", plan.toJson());
            outw.println(Json.compact(o));
        }
        outw.flush();
        return 0;
    }
}
