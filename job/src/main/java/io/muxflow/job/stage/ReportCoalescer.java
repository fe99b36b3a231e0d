package io.muxflow.job.stage;

import io.muxflow.job.model.StageReport;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sends a stage's completion reports to the dispatcher at most once per interval per (plan, group,
 * stage), without changing what the dispatcher's clocks end up as (with a minimum change of 0; with a
 * minimum, they end up within it).
 *
 * <p>Why it is exact: {@link io.muxflow.job.dispatch.StageClocks#report} moves a stage's shift to a
 * report's excess {@code actual end - predicted end + shift at dispatch} when that is larger, and the
 * clock by the same amount; so a run of reports has the same effect as the one with the largest
 * excess alone. This operator keeps that one, drops reports that cannot move the shift past what it
 * already sent, and sends at once when nothing was sent in the last interval (a sparse stream is
 * corrected as fast as before), else when the interval since the last send has passed. Dense streams
 * of short stages thus cost one Kafka record per interval instead of one per completion; only the
 * correction's timing changes, by at most the interval.
 *
 * <p>A report is also held back when it would move the shift by no more than a minimum change past
 * what was sent: the dispatcher's view of a stage then stays within that amount of the exact one
 * (lateness that keeps growing is still reported once it exceeds it), and a stage that is merely
 * late by the hop from dispatch to stage on every request sends almost nothing. With a minimum of 0
 * the clocks end up exactly as if every report had been sent.
 *
 * <p>Chained to its stage operator (same subtask thread; the timer runs in the task's mailbox). What
 * it holds is not checkpointed: reports are advisory, and after a restore everything is sent afresh.
 * Metrics: {@code reportsSent} and {@code reportsFolded} (completions whose report was dropped or merged).
 */
public final class ReportCoalescer extends AbstractStreamOperator<StageReport>
        implements OneInputStreamOperator<StageReport, StageReport> {
    private static final long serialVersionUID = 1L;

    private final long intervalMs;
    private final long minChangeUs;
    private transient Map<Key, Slot> slots;
    private transient Counter sent;
    private transient Counter folded;

    private record Key(int planVersion, int group, int stage) {
    }

    private static final class Slot {
        StageReport pending;
        long maxSentExcess = Long.MIN_VALUE;
        long lastSentMs = Long.MIN_VALUE;
        boolean timerSet;
    }

    /**
     * @param intervalMs least time between two reports of one stage; 0 sends every report that can change a clock
     * @param minChangeUs least amount a report must move the shift past what was sent; 0 sends every change
     */
    public ReportCoalescer(long intervalMs, long minChangeUs) {
        if (intervalMs < 0) {
            throw new IllegalArgumentException("report interval must be 0 or more, got " + intervalMs + " ms");
        }
        if (minChangeUs < 0) {
            throw new IllegalArgumentException("report minimum change must be 0 or more, got " + minChangeUs + " us");
        }
        this.intervalMs = intervalMs;
        this.minChangeUs = minChangeUs;
    }

    /** The quantity the dispatcher's shift becomes (at least) once this report is applied. */
    static long excess(StageReport r) {
        return r.actualEndUs - r.predictedEndUs + r.shiftAtDispatchUs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        slots = new HashMap<>();
        sent = getMetricGroup().counter("reportsSent");
        folded = getMetricGroup().counter("reportsFolded");
    }

    @Override
    public void processElement(StreamRecord<StageReport> element) {
        StageReport r = element.getValue();
        Slot s = slots.computeIfAbsent(new Key(r.planVersion, r.group, r.stage), k -> new Slot());
        long e = excess(r);
        boolean nothingSent = s.maxSentExcess == Long.MIN_VALUE;
        if ((!nothingSent && e <= s.maxSentExcess + minChangeUs) || (s.pending != null && e <= excess(s.pending))) {
            folded.inc();
            return; // moves the dispatcher's shift no more than the minimum past what is sent or about to be
        }
        if (s.pending != null) {
            folded.inc();
        }
        s.pending = r;
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (s.lastSentMs == Long.MIN_VALUE || now - s.lastSentMs >= intervalMs) {
            send(s, now);
        } else if (!s.timerSet) {
            s.timerSet = true;
            getProcessingTimeService().registerTimer(s.lastSentMs + intervalMs, t -> {
                s.timerSet = false;
                if (s.pending != null) {
                    send(s, getProcessingTimeService().getCurrentProcessingTime());
                }
            });
        }
    }

    private void send(Slot s, long nowMs) {
        StageReport r = s.pending;
        s.pending = null;
        s.maxSentExcess = excess(r);
        s.lastSentMs = nowMs;
        sent.inc();
        output.collect(new StreamRecord<>(r));
    }
}
