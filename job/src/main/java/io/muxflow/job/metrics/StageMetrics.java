package io.muxflow.job.metrics;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Metrics of one stage subtask under {@code group=<id>, stage=<k>}: how long loading its weights took
 * (ms), the busy fraction of its device and the queue depth in front of it over the last window (Little's law: arrival rate x mean wait,
 * where a request waits from the end of its previous stage, or its dispatch, to its start here).
 */
public final class StageMetrics {
    private static final long WINDOW_US = 5_000_000L;
    private long windowStart = -1;
    private long busyUs;
    private long waitUs;
    private long arrivals;
    private volatile double busyFraction;
    private volatile double queueDepth;
    private volatile double meanWaitMs;

    public StageMetrics(MetricGroup subtask, int groupId, int stage, long loadMs) {
        MetricGroup g = subtask.addGroup("group", Integer.toString(groupId)).addGroup("stage", Integer.toString(stage));
        g.gauge("loadMs", (Gauge<Long>) () -> loadMs);
        g.gauge("busyFraction", (Gauge<Double>) () -> busyFraction);
        g.gauge("queueDepth", (Gauge<Double>) () -> queueDepth);
        g.gauge("waitMs", (Gauge<Double>) () -> meanWaitMs);
    }

    public void ran(long enqueuedUs, long startUs, long endUs) {
        ran(Math.max(0, startUs - enqueuedUs), 1, startUs, endUs);
    }

    /** One run of {@code count} requests together (a batch) that waited {@code waitedUs} in all. */
    public void ran(long waitedUs, int count, long startUs, long endUs) {
        if (windowStart < 0) {
            windowStart = startUs;
        }
        busyUs += endUs - startUs;
        waitUs += waitedUs;
        arrivals += count;
        long span = endUs - windowStart;
        if (span >= WINDOW_US) {
            busyFraction = Math.min(1.0, (double) busyUs / span);
            meanWaitMs = arrivals == 0 ? 0 : waitUs / 1000.0 / arrivals;
            queueDepth = (double) waitUs / span;
            windowStart = endUs;
            busyUs = 0;
            waitUs = 0;
            arrivals = 0;
        }
    }
}
