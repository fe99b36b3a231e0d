package io.muxflow.job.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.dispatch.ServingPlan;
import io.muxflow.job.dispatch.StageClocksTest;
import io.muxflow.job.model.RawRecord;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestValidationTest {
    static final ServingPlan PLAN = planWithRealShapes();

    static ServingPlan planWithRealShapes() {
        var p = io.muxflow.planner.plan.Plan.parse(io.muxflow.planner.io.Json.parse(
                "{\"version\": 2, \"groups\": [{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]}],"
                        + "\"model_profiles\": {\"a\": \"bert-tiny\"}}", "plan"), "plan");
        var db = new io.muxflow.planner.profile.ProfileDatabase(io.muxflow.planner.profile.ProfileDatabase.parse(
                io.muxflow.planner.io.Json.parse(StageClocksTest.PROFILES.replace("\"p\"", "\"bert-tiny\""), "p"), "p"));
        return new ServingPlan(p, db, "cpu", null, io.muxflow.planner.sim.SimOptions.defaults());
    }

    static RawRecord raw(byte[] value, long nowUs) {
        return new RawRecord("t", 0, 5, "a".getBytes(), value, nowUs);
    }

    @Test
    void aGoodRequestBecomesAServingRequest() {
        long now = 1_000_000;
        InferenceRequest r = InferenceRequest.newBuilder().setRequestId("x").setModel("a").setClientSendUs(now - 100)
                .setSloUs(500_000L).setTokenIds(List.of(1, 2, 3)).build();
        RequestValidation.Outcome o = RequestValidation.validate(raw(Codecs.REQUEST.encode(r, Encoding.JSON), now), PLAN,
                1 << 20);
        assertThat(o.reply()).isNull();
        assertThat(o.request().tokens).containsExactly(1, 2, 3);
        assertThat(o.request().deadlineUs).isEqualTo(now - 100 + 500_000);
        assertThat(o.request().encoding).isEqualTo(1);
        assertThat(o.request().planVersion).isEqualTo(2);
    }

    @Test
    void undecodableBytesBecomeADeadLetterAndAnInvalidReply() {
        RequestValidation.Outcome o = RequestValidation.validate(raw(new byte[] {0, 1, 2}, 7), PLAN, 1 << 20);
        assertThat(o.request()).isNull();
        assertThat(o.reply().status).isEqualTo("INVALID");
        assertThat(o.reply().requestId).isEqualTo("undecodable@t/0/5");
        assertThat(o.deadLetter().value).containsExactly(0, 1, 2);
        assertThat(o.deadLetter().reason).contains("neither");
    }

    @Test
    void eachProblemIsNamed() {
        long now = 1_000_000;
        InferenceRequest.Builder b = InferenceRequest.newBuilder().setRequestId("x").setModel("a").setClientSendUs(now)
                .setSloUs(500_000L).setTokenIds(List.of(1));
        assertThat(problem(b.setModel("zz"), now)).contains("unknown model 'zz'").contains("a");
        b.setModel("a");
        assertThat(problem(b.setTokenIds(List.of()), now)).contains("empty");
        assertThat(problem(b.setTokenIds(List.of(-1)), now)).contains("outside the vocabulary");
        assertThat(problem(b.setTokenIds(List.of(1)).setSloUs(-5L), now)).contains("positive");
        assertThat(problem(b.setSloUs(null).setDeadlineUs(null), now)).contains("no deadline");
        assertThat(problem(b.setDeadlineUs(now - 1), now)).contains("is not after client_send_us");
        assertThat(problem(b.setDeadlineUs(null).setSloUs(1000L).setTokenIds(null), now)).contains("no input");
    }

    @Test
    void aRequestThatExpiredWhileWaitingInIntakeIsRejectedNotInvalid() {
        long now = 10_000_000;
        InferenceRequest r = InferenceRequest.newBuilder().setRequestId("late").setModel("a").setClientSendUs(now - 2_500_000)
                .setSloUs(1_000_000L).setTokenIds(List.of(1)).build();
        RequestValidation.Outcome o = RequestValidation.validate(raw(Codecs.REQUEST.encode(r, Encoding.AVRO), now), PLAN,
                1 << 20);
        assertThat(o.reply().status).isEqualTo("REJECTED");
        assertThat(o.reply().requestId).isEqualTo("late");
        assertThat(o.reply().detail).contains("waited 2500.0 ms in intake").contains("1500.0 ms past its deadline");
        assertThat(o.deadLetter()).isNull();
        // malformed and late: INVALID wins (the client must fix the request either way)
        RequestValidation.Outcome both = RequestValidation.validate(raw(Codecs.REQUEST.encode(
                InferenceRequest.newBuilder(r).setTokenIds(List.of()).build(), Encoding.AVRO), now), PLAN, 1 << 20);
        assertThat(both.reply().status).isEqualTo("INVALID");
    }

    @Test
    void anOversizeRequestIsRefusedBeforeDecodingAndAnsweredUnderItsOwnId() {
        long now = 1_000_000;
        InferenceRequest r = InferenceRequest.newBuilder().setRequestId("big").setModel("a").setClientSendUs(now)
                .setSloUs(500_000L).setTokenIds(java.util.Collections.nCopies(5000, 1)).build();
        for (Encoding e : Encoding.values()) {
            RequestValidation.Outcome o = RequestValidation.validate(raw(Codecs.REQUEST.encode(r, e), now), PLAN, 1000);
            assertThat(o.reply().status).isEqualTo("INVALID");
            assertThat(o.reply().requestId).as(e.name()).isEqualTo("big");
            assertThat(o.reply().model).isEqualTo("a");
            assertThat(o.reply().detail).contains("over the limit of 1000");
            assertThat(o.deadLetter()).isNull();
        }
        // without a readable id it is an undecodable message: dead-lettered under its offset
        byte[] junk = new byte[2000];
        junk[0] = '{';
        RequestValidation.Outcome o = RequestValidation.validate(raw(junk, now), PLAN, 1000);
        assertThat(o.reply().requestId).isEqualTo("undecodable@t/0/5");
        assertThat(o.deadLetter().reason).contains("over the limit of 1000");
    }

    private static String problem(InferenceRequest.Builder b, long now) {
        RequestValidation.Outcome o = RequestValidation.validate(raw(Codecs.REQUEST.encode(b.build(), Encoding.AVRO),
                now), PLAN, 1 << 20);
        assertThat(o.reply()).isNotNull();
        assertThat(o.reply().status).isEqualTo("INVALID");
        return o.reply().detail;
    }
}
