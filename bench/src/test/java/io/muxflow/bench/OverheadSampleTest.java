package io.muxflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.io.Json;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.StageTiming;
import io.muxflow.schema.Timestamps;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One rate's responses in the serving bench: only its own requests count, and overhead leaves executor time out. */
class OverheadSampleTest {
    /** A response sent {@code agoMs} before now that spent {@code stageMs} in its one stage. */
    static InferenceResponse response(String id, long agoMs, long stageMs) {
        long send = Clocks.nowUs() - agoMs * 1000;
        long received = send + 1000;
        long dispatched = received + 500;
        long start = dispatched + 250;
        long end = start + stageMs * 1000;
        return new InferenceResponse(id, "z", ResponseStatus.OK, "", List.of(), List.of(),
                new Timestamps(send, send + 1_000_000, received, dispatched, List.of(new StageTiming(0, start, end)), end),
                0, 1, Map.of(), List.of(), 0L, List.of(), null, List.of());
    }

    @Test
    void countsOnlyItsOwnRunAndSubtractsExecutorTime() {
        StringWriter csv = new StringWriter();
        OverheadSample s = new OverheadSample("b-r1-", new PrintWriter(csv, true));
        long before = Clocks.nowUs();
        s.accept(response("b-r1-0", 50, 20));
        s.accept(response("b-r1-1", 50, 20));
        s.accept(response("b-r10-0", 50, 20)); // another rate whose run id starts the same
        s.accept(response("b-r0-7", 50, 20)); // the warm-up's straggler
        long tookMs = (Clocks.nowUs() - before) / 1000 + 1;

        assertThat(s.answered()).isEqualTo(2);
        // 50 ms end to end (plus the time this test took) minus 20 ms in the stage
        assertThat(s.overheadPct(0.5)).isBetween(30.0, 30.0 + tookMs);
        assertThat(csv.toString().lines()).hasSize(2);

        ObjectNode row = Json.object();
        s.write(row);
        assertThat(row.get("answered").asInt()).isEqualTo(2);
        assertThat(row.get("statuses").get("OK").asInt()).isEqualTo(2);
        assertThat(row.get("breakdown_p50_p99_ms").get("send_to_received").get(0).asDouble()).isEqualTo(1.0);
        assertThat(row.get("breakdown_p50_p99_ms").get("received_to_dispatched").get(1).asDouble()).isEqualTo(0.5);
        assertThat(row.get("breakdown_p50_p99_ms").get("dispatched_to_stage").get(0).asDouble()).isEqualTo(0.25);
        assertThat(row.get("end_to_end_p50_ms").asDouble()).isBetween(50.0, 50.0 + tookMs);
    }

    @Test
    void checkpointShareUsesEachResponsesSendTime() {
        OverheadSample s = new OverheadSample("c-", null);
        s.accept(response("warm-up", 1, 0)); // loads the classes, so the times below are close to t0
        long t0 = Clocks.nowUs();
        s.accept(response("c-0", 100, 0)); // sent 100 ms before t0: the slow one
        s.accept(response("c-1", 5, 0));
        s.accept(response("c-2", 4, 0));
        // one trigger 105 ms before t0, its window reaching 50 ms past it: only the first request is inside
        CheckpointShare cs = s.checkpointShare(new long[] {t0 - 105_000}, 20_000, 50_000);
        assertThat(cs.checkpoints()).isZero(); // the trigger came before the first request
        assertThat(cs.windowShare()).isCloseTo(1 / 3.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(cs.slowShare()).isEqualTo(1.0);
        assertThat(cs.p99Outside()).isLessThan(100);
    }

    @Test
    void percentilesOfNothingAreNaN() {
        OverheadSample s = new OverheadSample("x-", null);
        assertThat(s.answered()).isZero();
        assertThat(s.overheadPct(0.99)).isNaN();
    }
}
