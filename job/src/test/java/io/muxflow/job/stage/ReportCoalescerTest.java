package io.muxflow.job.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.job.dispatch.ServingPlan;
import io.muxflow.job.dispatch.StageClocks;
import io.muxflow.job.dispatch.StageClocksTest;
import io.muxflow.job.model.StageReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ReportCoalescerTest {
    /** A report whose excess (actual - predicted + shift at dispatch) is the given value. */
    private static StageReport report(int group, long excess) {
        return new StageReport(1, group, 0, 1_000, 0, 1_000 + excess);
    }

    private static OneInputStreamOperatorTestHarness<StageReport, StageReport> harness(long intervalMs)
            throws Exception {
        return harness(intervalMs, 0);
    }

    private static OneInputStreamOperatorTestHarness<StageReport, StageReport> harness(long intervalMs,
            long minChangeUs) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new ReportCoalescer(intervalMs, minChangeUs));
        h.open();
        return h;
    }

    private static List<Long> sentExcesses(OneInputStreamOperatorTestHarness<StageReport, StageReport> h) {
        List<Long> out = new ArrayList<>();
        for (StageReport r : h.extractOutputValues()) {
            out.add(ReportCoalescer.excess(r));
        }
        return out;
    }

    @Test
    void sendsAtOnceWhenQuietAndFoldsADenseRunIntoItsLastReport() throws Exception {
        try (var h = harness(5)) {
            h.setProcessingTime(100);
            h.processElement(new StreamRecord<>(report(0, 10)));
            assertThat(sentExcesses(h)).containsExactly(10L); // nothing sent before: at once
            h.setProcessingTime(101);
            h.processElement(new StreamRecord<>(report(0, 20)));
            h.processElement(new StreamRecord<>(report(0, 35)));
            h.processElement(new StreamRecord<>(report(0, 30)));
            assertThat(sentExcesses(h)).containsExactly(10L); // held until 105
            h.setProcessingTime(105);
            assertThat(sentExcesses(h)).containsExactly(10L, 30L); // the last of the three decides the shift
            h.setProcessingTime(107);
            h.processElement(new StreamRecord<>(report(0, 30))); // what was sent: a no-op for the clocks
            h.setProcessingTime(120);
            assertThat(sentExcesses(h)).containsExactly(10L, 30L);
            h.processElement(new StreamRecord<>(report(0, 25))); // earlier than sent moves the clock back too
            assertThat(sentExcesses(h)).containsExactly(10L, 30L, 25L);
        }
    }

    @Test
    void groupsAreThrottledApart() throws Exception {
        try (var h = harness(5)) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(report(0, 10)));
            h.processElement(new StreamRecord<>(report(1, 5)));
            h.processElement(new StreamRecord<>(report(0, 11)));
            assertThat(h.extractOutputValues()).extracting(r -> r.group).containsExactly(0, 1);
        }
    }

    @Test
    void intervalZeroSendsEveryReportThatCanMoveAClock() throws Exception {
        try (var h = harness(0)) {
            h.setProcessingTime(0);
            for (long e : new long[] {3, 7, 7, 5, 9}) {
                h.processElement(new StreamRecord<>(report(0, e)));
            }
            assertThat(sentExcesses(h)).containsExactly(3L, 7L, 5L, 9L); // the repeated 7 moves nothing
        }
    }

    /** Clocks of a dispatcher that got every report, of one that got only what the coalescer sent, and how many it sent. */
    private record Replay(long[] direct, long[] folded, int sent, int all) {
    }

    private static Replay replay(long intervalMs, long minChangeUs) throws Exception {
        ServingPlan plan = StageClocksTest.plan("[{\"id\": 0, \"devices\": 2, \"pp\": 2, \"models\": [\"a\"]}]");
        Random rnd = new Random(42);
        StageClocks direct = new StageClocks(plan, 0);
        StageClocks folded = new StageClocks(plan, 0);
        List<StageReport> all = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < 200; i++) { // admit on both, as the dispatcher does, and complete late or early
            now += rnd.nextInt(3_000);
            StageClocks.Decision d = direct.admit(plan.modelIndex("a"), now, Long.MAX_VALUE);
            folded.admit(plan.modelIndex("a"), now, Long.MAX_VALUE);
            for (int k = 0; k < 2; k++) {
                all.add(new StageReport(1, 0, k, d.predictedEndUs()[k], d.shiftUs()[k],
                        d.predictedEndUs()[k] + rnd.nextInt(4_000) - 1_000));
            }
        }
        int sent;
        try (var h = harness(intervalMs, minChangeUs)) {
            long t = 0;
            for (StageReport r : all) {
                t += rnd.nextInt(2);
                h.setProcessingTime(t);
                h.processElement(new StreamRecord<>(r));
                direct.report(r.group, r.stage, r.predictedEndUs, r.shiftAtDispatchUs, r.actualEndUs);
            }
            h.setProcessingTime(t + intervalMs + 10);
            List<StageReport> out = h.extractOutputValues();
            sent = out.size();
            for (StageReport r : out) {
                folded.report(r.group, r.stage, r.predictedEndUs, r.shiftAtDispatchUs, r.actualEndUs);
            }
        }
        return new Replay(new long[] {direct.clock(0, 0), direct.clock(0, 1)},
                new long[] {folded.clock(0, 0), folded.clock(0, 1)}, sent, all.size());
    }

    @Test
    void theDispatcherEndsWithTheSameClocksAsIfEveryReportHadBeenSent() throws Exception {
        Replay r = replay(5, 0);
        assertThat(r.sent()).isLessThan(r.all() / 2);
        assertThat(r.folded()).containsExactly(r.direct());
    }

    @Test
    void smallChangesAreHeldBackUntilTheyAddUpPastTheMinimum() throws Exception {
        try (var h = harness(0, 100)) {
            h.setProcessingTime(0);
            for (long e : new long[] {10, 60, 110, 111, 150, 211, 300, 250, 150}) {
                h.processElement(new StreamRecord<>(report(0, e)));
            }
            // 10 (the first), then only what moves the shift more than 100 from the last sent, either way
            assertThat(sentExcesses(h)).containsExactly(10L, 111L, 300L, 150L);
        }
    }

    @Test
    void withAMinimumChangeTheClocksStayWithinItOfExactOnFewerReports() throws Exception {
        Replay exact = replay(5, 0);
        Replay banded = replay(5, 500);
        assertThat(banded.sent()).isLessThan(exact.sent());
        for (int k = 0; k < 2; k++) {
            long off = Math.abs(banded.direct()[k] - banded.folded()[k]);
            assertThat(off).as("stage %d is off the exact clock by", k).isBetween(0L, 500L);
        }
    }

    @Test
    void aNegativeIntervalIsRefused() {
        assertThatThrownBy(() -> new ReportCoalescer(-1, 0)).hasMessageContaining("report interval");
        assertThatThrownBy(() -> new ReportCoalescer(5, -1)).hasMessageContaining("minimum change");
    }
}
