package io.muxflow.job.dispatch;

import static io.muxflow.job.dispatch.BatchingDispatcherAgreesWithSimulatorTest.EPOCH_US;
import static io.muxflow.job.dispatch.BatchingDispatcherAgreesWithSimulatorTest.PROFILES;
import static io.muxflow.job.dispatch.DispatcherAgreesWithSimulatorTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.it.ServingHarness;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.job.model.StageReport;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The batching dispatcher's state, bound and clock corrections, through Flink's operator harness. */
class BatchingDispatcherTest {
    private static JobSpec spec(int queueCapacity) {
        Plan plan = Plan.parse(Json.parse(DispatcherAgreesWithSimulatorTest.PLAN, "plan"), "plan");
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.BACKEND, "emulated");
        conf.set(MuxflowOptions.MAX_BATCH, 4);
        conf.set(MuxflowOptions.BATCH_QUEUE_CAPACITY, queueCapacity);
        return JobSpec.of(plan, ServingHarness.profiles(PROFILES), conf);
    }

    @Test
    void aLateStageReportHoldsTheGroupsNextBatchUntilTheStageIsFree() throws Exception {
        JobSpec spec = spec(4096);
        AtomicLong now = new AtomicLong(EPOCH_US);
        try (var h = new TwoInputStreamOperatorTestHarness<>(new BatchingDispatcher(spec, now::get))) {
            h.setProcessingTime(EPOCH_US / 1000);
            h.open();
            for (int i = 0; i < 30; i++) { // model "c" on groups 2 (two stages) and 3 (one): two leave at once
                h.processElement1(new StreamRecord<>(request(i, "c", EPOCH_US, 10_000_000L)));
            }
            ServingRequest onGroup3 = h.extractOutputValues().stream().filter(r -> r.group == 3).findFirst().orElseThrow();
            long predicted = onGroup3.predictedEndUs[0];
            assertThat(predicted - EPOCH_US).isEqualTo(10_300); // profile p, one stage, batch 1
            // the stage ran 20 ms late
            now.set(EPOCH_US + 5_000);
            h.processElement2(new StreamRecord<>(new StageReport(3, 3, 0, predicted, onGroup3.shiftAtDispatchUs[0],
                    predicted + 20_000)));
            now.set(predicted + 1_000);
            h.setProcessingTime(now.get() / 1000);
            assertThat(h.extractOutputValues().stream().filter(r -> r.group == 3)).as("still busy").hasSize(1);
            now.set(predicted + 21_000);
            h.setProcessingTime(now.get() / 1000);
            var next = h.extractOutputValues().stream().filter(r -> r.group == 3).skip(1).toList();
            assertThat(next).as("the next batch, once the stage is free").isNotEmpty();
            assertThat(next.get(0).batchSize).isEqualTo(4);
            // walked from the corrected clock, with the correction recorded for the stage's next report
            assertThat(next.get(0).predictedEndUs[0]).isEqualTo(predicted + 20_000 + 18_700);
            assertThat(next.get(0).shiftAtDispatchUs[0]).isEqualTo(20_000);
        }
    }

    @Test
    void requestsQueuedAtACheckpointAreDecidedAfterARestore() throws Exception {
        JobSpec spec = spec(4096);
        AtomicLong now = new AtomicLong(EPOCH_US);
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        int released;
        try (var h = new TwoInputStreamOperatorTestHarness<>(new BatchingDispatcher(spec, now::get))) {
            h.setProcessingTime(EPOCH_US / 1000);
            h.open();
            // model "c" (groups 2 and 3): a burst of 12 at one instant; two go at once, ten queue
            for (int i = 0; i < 12; i++) {
                h.processElement1(new StreamRecord<>(request(i, "c", EPOCH_US, 10_000_000L)));
            }
            released = h.extractOutputValues().size();
            assertThat(released).isEqualTo(2);
            snapshot = h.snapshot(1, EPOCH_US / 1000);
        }
        now.set(EPOCH_US + 1_000_000);
        var op = new BatchingDispatcher(spec, now::get);
        try (var h = new TwoInputStreamOperatorTestHarness<>(op)) {
            h.setProcessingTime(now.get() / 1000);
            h.initializeState(snapshot);
            h.open();
            now.set(EPOCH_US + 60_000_000L);
            h.setProcessingTime(now.get() / 1000);
            assertThat(op.waiting()).isZero();
            var out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.requestId).containsExactlyInAnyOrder(
                    java.util.stream.IntStream.range(released, 12).mapToObj(i -> "r" + i).toArray(String[]::new));
            assertThat(out).allSatisfy(r -> assertThat(r.batchSize).isBetween(1, 4));
            assertThat(out.stream().mapToInt(r -> r.batchSize).max().orElse(0)).isEqualTo(4);
            assertThat(h.getSideOutput(Dispatcher.REJECTED)).isNull();
        }
    }

    @Test
    void aFullQueueRejectsAtArrivalWithTheReason() throws Exception {
        JobSpec spec = spec(3);
        AtomicLong now = new AtomicLong(EPOCH_US);
        var op = new BatchingDispatcher(spec, now::get);
        try (var h = new TwoInputStreamOperatorTestHarness<>(op)) {
            h.setProcessingTime(EPOCH_US / 1000);
            h.open();
            for (int i = 0; i < 12; i++) { // model "c": two groups idle, so two leave at once
                h.processElement1(new StreamRecord<>(request(i, "c", EPOCH_US, 10_000_000L)));
            }
            assertThat(h.extractOutputValues()).hasSize(2);
            assertThat(op.waiting()).isEqualTo(3);
            var rejected = h.getSideOutput(Dispatcher.REJECTED).stream().map(StreamRecord::getValue).toList();
            assertThat(rejected).hasSize(7);
            assertThat(rejected.get(0).detail).contains("3 requests already wait")
                    .contains(MuxflowOptions.BATCH_QUEUE_CAPACITY.key());
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> spec(0))
                .hasMessageContaining("batch-queue-capacity must be 1 or more");
        Configuration zeroBatch = new Configuration();
        zeroBatch.set(MuxflowOptions.MAX_BATCH, 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobSpec.of(
                Plan.parse(Json.parse(DispatcherAgreesWithSimulatorTest.PLAN, "plan"), "plan"),
                ServingHarness.profiles(PROFILES), zeroBatch)).hasMessageContaining("max-batch must be 1 or more");
    }

}
