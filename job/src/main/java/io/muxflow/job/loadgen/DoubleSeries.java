package io.muxflow.job.loadgen;

import java.util.Arrays;

/**
 * A growing list of doubles in one primitive array, with percentiles. Load generators and the
 * serving bench run in the JVM of the job they measure: a boxed {@code Double} per response would
 * be millions of small objects that every young collection copies while the run lasts, lengthening
 * the very pauses being measured. Thread-safe.
 */
public final class DoubleSeries {
    private double[] values;
    private int size;

    public DoubleSeries() {
        this(1024);
    }

    public DoubleSeries(int capacity) {
        values = new double[Math.max(16, capacity)];
    }

    public synchronized void add(double v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = v;
    }

    public synchronized int size() {
        return size;
    }

    public synchronized boolean isEmpty() {
        return size == 0;
    }

    /** A copy of the values in the order they were added. */
    public synchronized double[] toArray() {
        return Arrays.copyOf(values, size);
    }

    /** The nearest-rank percentile ({@link io.muxflow.planner.stats.Percentiles}); NaN when empty. */
    public double percentile(double q) {
        double[] a;
        synchronized (this) {
            if (size == 0) {
                return Double.NaN;
            }
            a = Arrays.copyOf(values, size);
        }
        Arrays.sort(a);
        return io.muxflow.planner.stats.Percentiles.nearestRank(a, q);
    }

}
