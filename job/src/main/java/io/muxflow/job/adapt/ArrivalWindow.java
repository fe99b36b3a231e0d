package io.muxflow.job.adapt;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * One model's recent arrivals in event time (µs), kept in order, for the arrival statistics of a
 * sliding window: count, rate (arrivals / window) and the coefficient of variation of the gaps
 * between consecutive arrivals in the window. Also the outcomes of its responses (served within SLO
 * or not) over the same window, for observed attainment. Samples older than the window are dropped
 * as the window slides; out-of-order arrivals are inserted in place.
 */
public final class ArrivalWindow {
    /** The statistics of the window ending at {@code endUs}. */
    public record Stats(long startUs, long endUs, long count, double rate, double cv, long responses, long good) {
        public double attainment() {
            return responses == 0 ? Double.NaN : (double) good / responses;
        }
    }

    private final long windowUs;
    private final ArrayDeque<Long> arrivals = new ArrayDeque<>();
    private final ArrayDeque<long[]> outcomes = new ArrayDeque<>(); // [timeUs, good 0/1]

    public ArrivalWindow(long windowUs) {
        if (windowUs <= 0) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.windowUs = windowUs;
    }

    public void arrival(long tUs) {
        if (arrivals.isEmpty() || arrivals.peekLast() <= tUs) {
            arrivals.addLast(tUs);
            return;
        }
        // rare: out of order; rebuild the tail in order
        ArrayDeque<Long> tail = new ArrayDeque<>();
        while (!arrivals.isEmpty() && arrivals.peekLast() > tUs) {
            tail.addFirst(arrivals.pollLast());
        }
        arrivals.addLast(tUs);
        arrivals.addAll(tail);
    }

    public void outcome(long tUs, boolean good) {
        outcomes.addLast(new long[] {tUs, good ? 1 : 0});
    }

    /** Drops what is older than {@code endUs - window} and computes the window's statistics. */
    public Stats slide(long endUs) {
        long start = endUs - windowUs;
        while (!arrivals.isEmpty() && arrivals.peekFirst() < start) {
            arrivals.pollFirst();
        }
        while (!outcomes.isEmpty() && outcomes.peekFirst()[0] < start) {
            outcomes.pollFirst();
        }
        long n = 0;
        double sum = 0;
        double sumSq = 0;
        long prev = Long.MIN_VALUE;
        long count = 0;
        for (Iterator<Long> it = arrivals.iterator(); it.hasNext();) {
            long t = it.next();
            if (t > endUs) {
                break;
            }
            count++;
            if (prev != Long.MIN_VALUE) {
                double g = (t - prev) / 1e6;
                sum += g;
                sumSq += g * g;
                n++;
            }
            prev = t;
        }
        double cv = Double.NaN;
        if (n >= 2) {
            double mean = sum / n;
            double var = Math.max(0, sumSq / n - mean * mean);
            cv = mean > 0 ? Math.sqrt(var) / mean : Double.NaN;
        }
        long responses = 0;
        long good = 0;
        for (long[] o : outcomes) {
            if (o[0] >= start && o[0] <= endUs) {
                responses++;
                good += o[1];
            }
        }
        return new Stats(start, endUs, count, count / (windowUs / 1e6), cv, responses, good);
    }

    public boolean isEmpty() {
        return arrivals.isEmpty() && outcomes.isEmpty();
    }
}
