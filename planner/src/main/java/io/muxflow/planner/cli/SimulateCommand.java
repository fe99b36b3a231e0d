package io.muxflow.planner.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.sim.SimResult;
import io.muxflow.planner.sim.Simulation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muxflow simulate}: profiles + workload + plan -> attainment and latency statistics. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Replay a workload through a plan with the stage-clock simulator.")
public final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--profiles", required = true, paramLabel = "P", description = "Profile JSON file(s), comma-separated, or analytic:DEVICE.")
    String profiles;

    @Option(names = "--workload", required = true, paramLabel = "W", description = "Workload JSON.")
    Path workload;

    @Option(names = "--plan", required = true, paramLabel = "PLAN", description = "Plan JSON (from muxflow plan).")
    Path plan;

    @Option(names = "--slo-scale", paramLabel = "S", description = "SLO = S x single-device latency where the workload gives none.")
    Double sloScale;

    @Option(names = "--alpaserve-compat", description = "AlpaServe's exact simulator semantics (float32, overheads 0.011 s and 0.009/stage).")
    boolean compat;

    @Option(names = "--batching", paramLabel = "MAX", description = "Batch queued requests up to this batch size.")
    Integer batching;

    @Option(names = "--json", description = "End stdout with one JSON line of statistics (attainment, per_model, latency_p99_s, ...).")
    boolean json;

    @Override
    public Integer call() {
        PlanningInputs in = PlanningInputs.load(profiles, workload, sloScale);
        Plan p = Plan.read(plan);
        SimOptions o = compat ? SimOptions.alpaServe() : SimOptions.defaults();
        o = CliSupport.batching(o, batching);
        Simulation sim = new Simulation(in.workload(), in.profilesByModel(), o);
        long t0 = System.nanoTime();
        SimResult r = sim.run(p);
        double seconds = (System.nanoTime() - t0) / 1e9;
        var out = spec.commandLine().getOut();
        out.printf("%d requests (%d after warm-up trim), attainment %.4f, latency mean %.4f s p50 %.4f s p99 %.4f s%n",
                in.workload().size(), r.requests(), r.attainment(), r.latencyMeanS(), r.latencyP50S(), r.latencyP99S());
        for (SimResult.ModelStats m : r.perModel()) {
            out.printf("  %-16s requests %6d attainment %.4f p99 %.4f s%n", m.model(), m.requests(), m.attainment(),
                    m.latencyP99S());
        }
        if (json) {
            ObjectNode o2 = r.toJson();
            o2.put("simulate_seconds", seconds);
            out.println(Json.compact(o2));
        }
        out.flush();
        return 0;
    }
}
