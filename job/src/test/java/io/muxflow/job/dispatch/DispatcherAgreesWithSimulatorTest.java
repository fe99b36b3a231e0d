package io.muxflow.job.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.it.ServingHarness;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.sim.Outcomes;
import io.muxflow.planner.sim.StageClockSimulator;
import io.muxflow.planner.workload.GammaProcess;
import io.muxflow.planner.workload.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * One admission model (issue 22, part 1): a bursty trace replayed through the job's Dispatcher
 * operator (Flink's operator harness, a clock set to each arrival) and through the planner's
 * stage-clock simulator gets the same decision request by request: admitted or rejected, the group,
 * and the predicted stage ends.
 */
class DispatcherAgreesWithSimulatorTest {
    static final String PROFILES = """
            {"models": [
              {"model": "p", "configs": [
                {"pp": 1, "latency_s": {"1": [0.0103]}, "weight_bytes": [1]},
                {"pp": 2, "latency_s": {"1": [0.0051, 0.0057]}, "weight_bytes": [1, 1]}]},
              {"model": "q", "configs": [
                {"pp": 1, "latency_s": {"1": [0.0217]}, "weight_bytes": [1]},
                {"pp": 2, "latency_s": {"1": [0.0113, 0.0109]}, "weight_bytes": [1, 1]}]}]}
            """;
    /** Three models over four groups of one cell: shared groups, one- and two-stage pipelines. */
    static final String PLAN = """
            {"version": 3, "groups": [
              {"id": 0, "devices": 1, "pp": 1, "models": ["a", "b"]},
              {"id": 1, "devices": 2, "pp": 2, "models": ["a"]},
              {"id": 2, "devices": 2, "pp": 2, "models": ["b", "c"]},
              {"id": 3, "devices": 1, "pp": 1, "models": ["c"]}],
             "model_profiles": {"a": "p", "b": "q", "c": "p"}}
            """;
    static final long EPOCH_US = 1_764_900_000_000_000L;

    @Test
    void dispatcherAndSimulatorDecideEveryRequestAlike() throws Exception {
        Plan plan = Plan.parse(Json.parse(PLAN, "plan"), "plan");
        Configuration conf = new Configuration();
        conf.set(io.muxflow.job.config.MuxflowOptions.BACKEND, "emulated");
        JobSpec spec = JobSpec.of(plan, ServingHarness.profiles(PROFILES), conf);
        ServingPlan serving = new ServingPlan(spec);
        Workload trace = burstyTrace(serving.models());

        StageClockSimulator sim = new StageClockSimulator(trace, serving.latencyTable());
        Outcomes predicted = sim.simulate(serving.placement());
        double fixedS = spec.simOptions().fixedOverheadS();

        AtomicLong now = new AtomicLong(EPOCH_US);
        Map<String, ServingRequest> admitted = new HashMap<>();
        Map<String, Reply> rejected = new HashMap<>();
        try (var h = new TwoInputStreamOperatorTestHarness<>(new CoProcessOperator<>(
                new Dispatcher(spec, now::get)))) {
            h.open();
            for (int i = 0; i < trace.size(); i++) {
                long arrivalUs = Math.round(trace.arrival(i) * 1e6);
                now.set(EPOCH_US + arrivalUs);
                h.processElement1(new StreamRecord<>(request(i, trace.model(i), EPOCH_US + arrivalUs,
                        Math.round(trace.slo(i) * 1e6))));
            }
            h.extractOutputValues().forEach(r -> admitted.put(r.requestId, r));
            h.getSideOutput(Dispatcher.REJECTED).forEach(r -> rejected.put(r.getValue().requestId, r.getValue()));
        }

        assertThat(admitted.size() + rejected.size()).isEqualTo(trace.size());
        int good = 0;
        int[] perGroup = new int[serving.numGroups()];
        for (int i = 0; i < trace.size(); i++) {
            String id = "r" + i;
            int g = predicted.group()[i];
            perGroup[g]++;
            if (predicted.good()[i]) {
                good++;
                ServingRequest r = admitted.get(id);
                assertThat(r).as("request %d: the simulator admits it on group %d", i, g).isNotNull();
                assertThat(r.group).as("request %d's group", i).isEqualTo(g);
                long lastEnd = r.predictedEndUs[r.predictedEndUs.length - 1] - EPOCH_US;
                assertThat((double) lastEnd).as("request %d's predicted last stage end (µs)", i)
                        .isCloseTo((predicted.finish()[i] - fixedS) * 1e6, org.assertj.core.data.Offset.offset(1.0));
            } else {
                Reply r = rejected.get(id);
                assertThat(r).as("request %d: the simulator rejects it", i).isNotNull();
                assertThat(r.group).as("request %d's group", i).isEqualTo(serving.group(g).id());
            }
        }
        // the trace must exercise both outcomes and every group, or agreement would mean little
        assertThat(good).isBetween(trace.size() / 5, trace.size() * 4 / 5);
        assertThat(java.util.Arrays.stream(perGroup).min().orElseThrow()).isGreaterThan(50);
    }

    /** Gamma arrivals with CV 4 per model, on whole microseconds so both sides see the same instants. */
    static Workload burstyTrace(List<String> models) {
        double[] rates = {60, 40, 70};
        double[] slos = {0.030, 0.055, 0.025};
        List<Workload> parts = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) {
            double[] a = new GammaProcess(rates[m], 4).generate(0, 60, 1000 + m);
            for (int i = 0; i < a.length; i++) {
                a[i] = Math.round(a[i] * 1e6) / 1e6;
            }
            parts.add(Workload.ofModel(models, m, a, slos[m]));
        }
        return Workload.merge(models, parts);
    }

    static ServingRequest request(int i, String model, long nowUs, long sloUs) {
        ServingRequest r = new ServingRequest();
        r.requestId = "r" + i;
        r.model = model;
        r.planVersion = 3;
        r.receivedUs = nowUs;
        r.clientSendUs = nowUs;
        r.deadlineUs = nowUs + sloUs;
        r.tokens = new int[] {101, 102};
        r.rows = 2;
        return r;
    }
}
