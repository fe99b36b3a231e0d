package io.muxflow.planner.stats;

/**
 * The one percentile definition behind every latency figure muxflow reports (simulator statistics,
 * chain simulation, benchmarks, load-generator summaries): the nearest rank, the smallest value with
 * at least {@code q x n} values at or below it, i.e. the value at 1-based rank {@code ceil(q x n)}. It
 * is always an observed value; p100 is the maximum and p0 the minimum.
 */
public final class Percentiles {
    private Percentiles() {
    }

    /** The nearest-rank {@code q}-percentile (0 <= q <= 1) of ascending {@code sorted}; NaN when empty. */
    public static double nearestRank(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("percentile must be in [0, 1], got " + q);
        }
        // the epsilon keeps q x n a whole rank when binary floating point lands just above it (0.07 x 100)
        int rank = (int) Math.ceil(q * sorted.length - 1e-9);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
