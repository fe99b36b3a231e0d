package io.muxflow.job.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.it.ServingHarness;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.sim.BatchingSimulator;
import io.muxflow.planner.sim.Outcomes;
import io.muxflow.planner.workload.Workload;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Batching decided by one model (issue 22, part 4): a bursty trace replayed through the job's
 * {@link BatchingDispatcher} (Flink's operator harness; the clock and the harness's processing time
 * set to each arrival, so the operator's own timers release batches between arrivals) and through
 * the planner's {@link BatchingSimulator} gets the same decisions: every request served by the
 * simulator leaves in a batch on the same group with the simulator's predicted finish, the others are
 * rejected, and the batches the dispatcher forms are the simulator's (members of one batch share one
 * finish there).
 */
class BatchingDispatcherAgreesWithSimulatorTest {
    static final String PROFILES = """
            {"models": [
              {"model": "p", "configs": [
                {"pp": 1, "latency_s": {"1": [0.0103], "2": [0.0131], "4": [0.0187]}, "weight_bytes": [1]},
                {"pp": 2, "latency_s": {"1": [0.0051, 0.0057], "2": [0.0066, 0.0070], "4": [0.0095, 0.0099]},
                 "weight_bytes": [1, 1]}]},
              {"model": "q", "configs": [
                {"pp": 1, "latency_s": {"1": [0.0217], "2": [0.0262], "4": [0.0371]}, "weight_bytes": [1]},
                {"pp": 2, "latency_s": {"1": [0.0113, 0.0109], "2": [0.0135, 0.0131], "4": [0.0190, 0.0188]},
                 "weight_bytes": [1, 1]}]}]}
            """;
    static final long EPOCH_US = DispatcherAgreesWithSimulatorTest.EPOCH_US;

    @Test
    void batchingDispatcherAndSimulatorFormTheSameBatches() throws Exception {
        Plan plan = Plan.parse(Json.parse(DispatcherAgreesWithSimulatorTest.PLAN, "plan"), "plan");
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.BACKEND, "emulated");
        conf.set(MuxflowOptions.MAX_BATCH, 4);
        JobSpec spec = JobSpec.of(plan, ServingHarness.profiles(PROFILES), conf);
        assertThat(spec.simOptions().batching()).isTrue();
        ServingPlan serving = new ServingPlan(spec);
        Workload trace = DispatcherAgreesWithSimulatorTest.burstyTrace(serving.models());

        Outcomes predicted = new BatchingSimulator(trace, serving.latencyTable()).simulate(serving.placement());
        double fixedS = spec.simOptions().fixedOverheadS();

        AtomicLong now = new AtomicLong(EPOCH_US);
        Map<String, ServingRequest> admitted = new HashMap<>();
        Map<String, Reply> rejected = new HashMap<>();
        BatchingDispatcher op = new BatchingDispatcher(spec, now::get);
        try (var h = new TwoInputStreamOperatorTestHarness<>(op)) {
            h.setProcessingTime(EPOCH_US / 1000);
            h.open();
            for (int i = 0; i < trace.size(); i++) {
                long arrivalUs = EPOCH_US + Math.round(trace.arrival(i) * 1e6);
                now.set(arrivalUs);
                h.setProcessingTime(arrivalUs / 1000); // fires the timers due by then
                h.processElement1(new StreamRecord<>(DispatcherAgreesWithSimulatorTest.request(i, trace.model(i), arrivalUs,
                        Math.round(trace.slo(i) * 1e6))));
            }
            now.set(EPOCH_US + 3_600_000_000L);
            h.setProcessingTime(now.get() / 1000);
            assertThat(op.waiting()).as("every queued request was decided").isZero();
            h.extractOutputValues().forEach(r -> admitted.put(r.requestId, r));
            h.getSideOutput(Dispatcher.REJECTED).forEach(r -> rejected.put(r.getValue().requestId, r.getValue()));
        }

        assertThat(admitted.size() + rejected.size()).isEqualTo(trace.size());
        Map<Long, Double> batchFinish = new HashMap<>();
        Map<Long, Integer> batchMembers = new HashMap<>();
        int good = 0;
        for (int i = 0; i < trace.size(); i++) {
            String id = "r" + i;
            if (predicted.good()[i]) {
                good++;
                ServingRequest r = admitted.get(id);
                assertThat(r).as("request %d: the simulator serves it", i).isNotNull();
                assertThat(r.group).as("request %d's group", i).isEqualTo(predicted.group()[i]);
                long lastEnd = r.predictedEndUs[r.predictedEndUs.length - 1] - EPOCH_US;
                assertThat((double) lastEnd).as("request %d's predicted last stage end (µs)", i)
                        .isCloseTo((predicted.finish()[i] - fixedS) * 1e6, Offset.offset(1.0));
                // one batch, one finish in the simulator
                Double f = batchFinish.putIfAbsent(r.batchId, predicted.finish()[i]);
                if (f != null) {
                    assertThat(predicted.finish()[i]).as("request %d finishes with its batch", i).isEqualTo(f);
                }
                batchMembers.merge(r.batchId, 1, Integer::sum);
                assertThat(r.batchCount).isEqualTo(r.batchSize);
            } else {
                assertThat(rejected).as("request %d: the simulator does not serve it", i).containsKey(id);
                assertThat(rejected.get(id).status).isEqualTo("REJECTED");
                assertThat(rejected.get(id).group).as("request %d's group", i)
                        .isEqualTo(serving.group(predicted.group()[i]).id());
            }
        }
        for (ServingRequest r : admitted.values()) {
            assertThat(batchMembers.get(r.batchId)).as("batch %d's size", r.batchId).isEqualTo(r.batchSize);
        }
        // the trace must exercise batches, both outcomes and every group, or agreement would mean little
        long batched = admitted.values().stream().filter(r -> r.batchSize > 1).count();
        assertThat(batched).as("requests served in batches of 2 or more").isGreaterThan(trace.size() / 10);
        assertThat(good).isBetween(trace.size() / 5, trace.size() * 19 / 20);
        assertThat(admitted.values().stream().mapToInt(r -> r.group).distinct().count()).isEqualTo(serving.numGroups());
    }
}
