package io.muxflow.job.dispatch;

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
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The dispatch operator through Flink's operator harness: what admission cannot fit before its
 * deadline is answered REJECTED at once, with the reason, and admitted requests leave tagged with
 * their group and per-stage predictions.
 */
class DispatcherTest {

    /** A validated request, as the validator hands it to dispatch. */
    private static ServingRequest validated(String id, String model, long deadlineInUs) {
        ServingRequest r = new ServingRequest();
        r.requestId = id;
        r.model = model;
        r.planVersion = 1;
        long now = Clocks.nowUs();
        r.receivedUs = now;
        r.clientSendUs = now;
        r.deadlineUs = now + deadlineInUs;
        r.tokens = new int[] {101, 7, 102};
        r.rows = 3;
        return r;
    }

    @Test
    void rejectsAtOnceWhatCannotMeetItsDeadlineAndTagsWhatItAdmits() throws Exception {
        Plan plan = Plan.parse(Json.parse(ServingEndToEndIT.PLAN, "plan"), "plan");
        JobSpec spec = JobSpec.of(plan, ServingHarness.profiles(ServingEndToEndIT.PROFILES), new Configuration());
        try (var h = new TwoInputStreamOperatorTestHarness<>(new CoProcessOperator<>(new Dispatcher(spec)))) {
            h.open();
            // "b" runs only on the two-stage group 1 (3 + 2 ms): 1 ms is too little, 10 s plenty
            h.processElement1(new StreamRecord<>(validated("tight", "b", 1_000)));
            h.processElement1(new StreamRecord<>(validated("roomy", "b", 10_000_000)));
            h.processElement1(new StreamRecord<>(validated("unplanned", "zzz", 10_000_000)));

            List<Reply> rejected = h.getSideOutput(Dispatcher.REJECTED).stream().map(StreamRecord::getValue).toList();
            assertThat(rejected).extracting(r -> r.requestId).containsExactly("tight", "unplanned");
            assertThat(rejected).extracting(r -> r.status).containsOnly("REJECTED");
            assertThat(rejected.get(0).detail).contains("past the deadline");
            assertThat(rejected.get(0).group).isEqualTo(1);
            assertThat(rejected.get(1).detail).contains("no group of plan v1 serves model 'zzz'");
            assertThat(rejected.get(1).group).isEqualTo(-1);

            List<ServingRequest> admitted = h.extractOutputValues();
            assertThat(admitted).extracting(r -> r.requestId).containsExactly("roomy");
            ServingRequest a = admitted.get(0);
            assertThat(a.group).isEqualTo(1);
            assertThat(a.predictedEndUs).hasSize(2);
            assertThat(a.predictedEndUs[1]).isGreaterThan(a.predictedEndUs[0]);
            assertThat(a.dispatchedUs).isGreaterThanOrEqualTo(a.receivedUs);
        }
    }
}
