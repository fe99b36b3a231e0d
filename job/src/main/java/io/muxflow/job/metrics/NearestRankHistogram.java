package io.muxflow.job.metrics;

import io.muxflow.planner.stats.Percentiles;
import java.util.Arrays;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

/**
 * A Flink histogram over the last {@code window} values whose quantiles are muxflow's one percentile
 * definition ({@link Percentiles#nearestRank}), so that the dashboard, Prometheus and the benchmarks
 * read a p99 the same way (Flink's {@code DescriptiveStatisticsHistogram} interpolates instead).
 */
public final class NearestRankHistogram implements Histogram {
    private final long[] ring;
    private long count;

    public NearestRankHistogram(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("histogram window must be >= 1, got " + window);
        }
        this.ring = new long[window];
    }

    @Override
    public synchronized void update(long value) {
        ring[(int) (count % ring.length)] = value;
        count++;
    }

    @Override
    public synchronized long getCount() {
        return count;
    }

    @Override
    public HistogramStatistics getStatistics() {
        long[] v;
        synchronized (this) {
            v = Arrays.copyOf(ring, (int) Math.min(count, ring.length));
        }
        double[] sorted = Arrays.stream(v).asDoubleStream().sorted().toArray();
        return new Snapshot(sorted);
    }

    /** The window's values at one moment. */
    private static final class Snapshot extends HistogramStatistics {
        private final double[] sorted;

        Snapshot(double[] sorted) {
            this.sorted = sorted;
        }

        @Override
        public double getQuantile(double q) {
            return sorted.length == 0 ? 0 : Percentiles.nearestRank(sorted, q);
        }

        @Override
        public long[] getValues() {
            long[] out = new long[sorted.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (long) sorted[i];
            }
            return out;
        }

        @Override
        public int size() {
            return sorted.length;
        }

        @Override
        public double getMean() {
            return sorted.length == 0 ? 0 : Arrays.stream(sorted).average().orElse(0);
        }

        @Override
        public double getStdDev() {
            if (sorted.length < 2) {
                return 0;
            }
            double m = getMean();
            double s = 0;
            for (double x : sorted) {
                s += (x - m) * (x - m);
            }
            return Math.sqrt(s / (sorted.length - 1));
        }

        @Override
        public long getMax() {
            return sorted.length == 0 ? 0 : (long) sorted[sorted.length - 1];
        }

        @Override
        public long getMin() {
            return sorted.length == 0 ? 0 : (long) sorted[0];
        }
    }
}
