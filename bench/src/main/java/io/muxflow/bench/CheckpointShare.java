package io.muxflow.bench;

import java.util.Arrays;

/**
 * How much of a run's tail the job's checkpoints explain. Exactly-once Kafka sinks do blocking broker
 * round trips at every checkpoint (start the next transaction, commit the last), so the slowest
 * requests come in clusters right after the checkpoint triggers. This splits a run's requests by
 * send time into those inside a window around a trigger and the rest, and reports the share of the
 * slow ones (at or above the run's p99) inside and the p99 of those outside. Both come from one run,
 * so they compare across runs on a noisy machine better than the p99 alone.
 *
 * @param checkpoints checkpoint triggers that fell within the run
 * @param windowShare share of requests sent inside a window
 * @param slowShare share of the requests at or above the run's p99 that were sent inside a window
 * @param p99Outside p99 overhead (ms) of the requests sent outside every window (NaN if none)
 */
public record CheckpointShare(int checkpoints, double windowShare, double slowShare, double p99Outside) {

    /**
     * @param sendUs request send times (epoch microseconds), parallel to {@code overheadMs}
     * @param overheadMs the requests' overheads
     * @param triggersUs checkpoint trigger times (epoch microseconds), any order
     * @param beforeUs how long before a trigger a window starts
     * @param afterUs how long after a trigger it ends
     */
    public static CheckpointShare of(double[] sendUs, double[] overheadMs, long[] triggersUs, long beforeUs,
            long afterUs) {
        if (sendUs.length != overheadMs.length) {
            throw new IllegalArgumentException("send times and overheads differ in length: " + sendUs.length
                    + " vs " + overheadMs.length);
        }
        int n = sendUs.length;
        if (n == 0) {
            return new CheckpointShare(0, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] t = triggersUs.clone();
        Arrays.sort(t);
        double first = Arrays.stream(sendUs).min().getAsDouble();
        double last = Arrays.stream(sendUs).max().getAsDouble();
        int within = (int) Arrays.stream(t).filter(x -> x >= first && x <= last).count();
        double[] sorted = overheadMs.clone();
        Arrays.sort(sorted);
        double p99 = io.muxflow.planner.stats.Percentiles.nearestRank(sorted, 0.99);
        int inside = 0;
        int slow = 0;
        int slowInside = 0;
        double[] outside = new double[n];
        int out = 0;
        for (int i = 0; i < n; i++) {
            boolean in = inWindow(t, sendUs[i], beforeUs, afterUs);
            boolean isSlow = overheadMs[i] >= p99;
            inside += in ? 1 : 0;
            slow += isSlow ? 1 : 0;
            slowInside += in && isSlow ? 1 : 0;
            if (!in) {
                outside[out++] = overheadMs[i];
            }
        }
        double p99Out = Double.NaN;
        if (out > 0) {
            double[] o = Arrays.copyOf(outside, out);
            Arrays.sort(o);
            p99Out = io.muxflow.planner.stats.Percentiles.nearestRank(o, 0.99);
        }
        return new CheckpointShare(within, (double) inside / n, (double) slowInside / slow, p99Out);
    }

    /** Whether {@code s} lies in [trigger - before, trigger + after] of some trigger in sorted {@code t}. */
    private static boolean inWindow(long[] t, double s, long beforeUs, long afterUs) {
        // the first trigger at or after s - after is the only candidate that can still cover s
        int i = Arrays.binarySearch(t, (long) Math.ceil(s - afterUs));
        if (i < 0) {
            i = -i - 1;
        }
        return i < t.length && t[i] - beforeUs <= s;
    }
}
