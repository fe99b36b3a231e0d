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
 * report's excess {@code actual end - predicted end + shift at dispatch}, later or earlier, and the
 * clock by the same amount (never before the reported end); so a run of reports, which a stage sends
 * in completion order, has the effect of its last one alone. This operator keeps that one, and sends
 * at once when nothing was sent in the last interval (a sparse stream is corrected as fast as
 * before), else when the interval since the last send has passed. Dense streams of short stages thus
 * cost one Kafka record per interval instead of one per completion; only the correction's timing
 * changes, by at most the interval.
 *
 * <p>A report is also held back when its excess is within a minimum change of what was sent: the
 * dispatcher's view of a stage then stays within that amount of the exact one, and a stage that is
 * merely late by the hop from dispatch to stage on every request sends almost nothing. With a
 * minimum of 0 the clocks end up exactly as if every report had been sent.
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
        long sentExcess = Long.MIN_VALUE;
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

    /** The quantity the dispatcher's shift becomes once this report is applied. */
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
        boolean nothingSent = s.sentExcess == Long.MIN_VALUE;
        if (s.pending != null) {
            folded.inc(); // superseded: the latest report decides the shift
            s.pending = null;
        }
        if (!nothingSent && Math.abs(e - s.sentExcess) <= minChangeUs) {
            folded.inc();
            return; // leaves the dispatcher's shift within the minimum of what was sent
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
        s.sentExcess = excess(r);
        s.lastSentMs = nowMs;
        sent.inc();
        output.collect(new StreamRecord<>(r));
    }
}
