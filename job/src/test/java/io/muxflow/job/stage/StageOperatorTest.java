package io.muxflow.job.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.it.ServingEndToEndIT;
import io.muxflow.job.it.ServingHarness;
import io.muxflow.job.model.Clocks;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A stage layer on the real cpu backend (bert-tiny with its synthetic weights), run through Flink's
 * operator harness: an executor error answers FAILED for that request only, and the layer goes on
 * serving the next one; a request that can no longer make its deadline is answered TIMED_OUT there.
 */
class StageOperatorTest {

    /** A request as dispatch hands it to group 0 (one stage, model "a"), its deadline far away. */
    private static ServingRequest dispatched(String id, int... tokens) {
        ServingRequest r = new ServingRequest();
        r.requestId = id;
        r.model = "a";
        r.group = 0;
        r.planVersion = 1;
        long now = Clocks.nowUs();
        r.receivedUs = now;
        r.dispatchedUs = now;
        r.clientSendUs = now;
        r.deadlineUs = now + 60_000_000L;
        r.tokens = tokens;
        r.rows = tokens.length;
        r.predictedEndUs = new long[] {now + 4_000};
        r.shiftAtDispatchUs = new long[] {0};
        return r;
    }

    @Test
    void anExecutorErrorFailsThatRequestOnlyAndTheLayerServesTheNext() throws Exception {
        Plan plan = Plan.parse(Json.parse(ServingEndToEndIT.PLAN, "plan"), "plan");
        JobSpec spec = JobSpec.of(plan, ServingHarness.profiles(ServingEndToEndIT.PROFILES), new Configuration());
        assertThat(spec.backend()).isEqualTo("cpu");
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new StageOperator(spec, 0)))) {
            h.open();
            // past validation (which would answer INVALID), the executor's own input check throws
            h.processElement(new StreamRecord<>(dispatched("bad", 101, 1_000_000, 102)));
            h.processElement(new StreamRecord<>(dispatched("good", 101, 7, 102)));

            List<Reply> replies = h.getSideOutput(StageOperator.REPLIES).stream().map(StreamRecord::getValue).toList();
            assertThat(replies).extracting(r -> r.requestId).containsExactly("bad", "good");
            Reply bad = replies.get(0);
            assertThat(bad.status).isEqualTo("FAILED");
            assertThat(bad.detail).contains("executor error at stage 0 of group 0").contains("token id 1000000");
            assertThat(bad.group).isEqualTo(0);
            Reply good = replies.get(1);
            assertThat(good.status).as(good.detail).isEqualTo("OK");
            assertThat(good.output).hasSize(128);
            for (float v : good.output) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            // only the request that ran reports a completion to the dispatcher's clocks
            assertThat(h.getSideOutput(StageOperator.REPORTS)).hasSize(1);
        }
    }

    @Test
    void aRequestThatCanNoLongerMeetItsDeadlineIsAnsweredTimedOutInsteadOfComputed() throws Exception {
        Plan plan = Plan.parse(Json.parse(ServingEndToEndIT.PLAN, "plan"), "plan");
        JobSpec spec = JobSpec.of(plan, ServingHarness.profiles(ServingEndToEndIT.PROFILES), new Configuration());
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new StageOperator(spec, 0)))) {
            h.open();
            ServingRequest late = dispatched("late", 101, 7, 102);
            late.deadlineUs = Clocks.nowUs() + 1_000; // the stage is profiled at 4 ms
            h.processElement(new StreamRecord<>(late));

            List<Reply> replies = h.getSideOutput(StageOperator.REPLIES).stream().map(StreamRecord::getValue).toList();
            assertThat(replies).extracting(r -> r.status).containsExactly("TIMED_OUT");
            assertThat(replies.get(0).detail).contains("at stage 0 of group 0").contains("the remaining stages need 4.0 ms");
            assertThat(h.getSideOutput(StageOperator.REPORTS)).as("nothing ran").isNull();
        }
    }

    private static ServingRequest inBatch(String id, long batch, int count, int... tokens) {
        ServingRequest r = dispatched(id, tokens);
        r.batchId = batch;
        r.batchSize = count;
        r.batchCount = count;
        return r;
    }

    @Test
    void aBatchIsGatheredRunAsOneAndAnswersAsItsRequestsWouldAlone() throws Exception {
        Plan plan = Plan.parse(Json.parse(ServingEndToEndIT.PLAN, "plan"), "plan");
        JobSpec spec = JobSpec.of(plan, ServingHarness.profiles(ServingEndToEndIT.PROFILES), new Configuration());
        int[][] inputs = {{101, 7, 102}, {101, 9, 13, 21, 102}, {101, 102}};
        List<Reply> alone;
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new StageOperator(spec, 0)))) {
            h.open();
            for (int i = 0; i < inputs.length; i++) {
                h.processElement(new StreamRecord<>(dispatched("r" + i, inputs[i])));
            }
            alone = h.getSideOutput(StageOperator.REPLIES).stream().map(StreamRecord::getValue).toList();
            assertThat(h.getSideOutput(StageOperator.REPORTS)).hasSize(3);
        }
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new StageOperator(spec, 0)))) {
            h.open();
            h.processElement(new StreamRecord<>(inBatch("r0", 7, 3, inputs[0])));
            h.processElement(new StreamRecord<>(inBatch("r1", 7, 3, inputs[1])));
            assertThat(h.getSideOutput(StageOperator.REPLIES)).as("the batch is still gathering").isNull();
            h.processElement(new StreamRecord<>(inBatch("r2", 7, 3, inputs[2])));
            List<Reply> batched = h.getSideOutput(StageOperator.REPLIES).stream().map(StreamRecord::getValue).toList();
            assertThat(batched).extracting(r -> r.status).containsExactly("OK", "OK", "OK");
            assertThat(h.getSideOutput(StageOperator.REPORTS)).as("one report per batch").hasSize(1);
            for (int i = 0; i < inputs.length; i++) {
                Reply a = alone.get(i);
                Reply b = batched.get(i);
                assertThat(b.requestId).isEqualTo(a.requestId);
                assertThat(b.outputShape).containsExactly(a.outputShape);
                assertThat(b.stageTimes).containsExactly(batched.get(0).stageTimes); // ran together
                for (int j = 0; j < a.output.length; j++) {
                    assertThat(b.output[j]).as("request %d, value %d", i, j)
                            .isCloseTo(a.output[j], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }

            // a member that can no longer make it times out; the rest of its batch still runs
            ServingRequest late = inBatch("late", 8, 2, 101, 5, 102);
            late.deadlineUs = Clocks.nowUs() + 1_000;
            h.processElement(new StreamRecord<>(late));
            h.processElement(new StreamRecord<>(inBatch("on-time", 8, 2, 101, 6, 102)));
            List<Reply> second = h.getSideOutput(StageOperator.REPLIES).stream().map(StreamRecord::getValue).skip(3)
                    .toList();
            assertThat(second).extracting(r -> r.requestId + ":" + r.status)
                    .containsExactly("late:TIMED_OUT", "on-time:OK");
            assertThat(h.getSideOutput(StageOperator.REPORTS)).hasSize(2);
        }
    }
}
