package io.muxflow.job.adapt;

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
    private final LongRing arrivals = new LongRing();
    private final LongRing outcomes = new LongRing(); // time in µs, shifted left one bit; the low bit is 1 when good

    public ArrivalWindow(long windowUs) {
        if (windowUs <= 0) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.windowUs = windowUs;
    }

    public void arrival(long tUs) {
        if (arrivals.isEmpty() || arrivals.last() <= tUs) {
            arrivals.addLast(tUs);
            return;
        }
        // rare: out of order; insert in place
        int i = arrivals.size();
        while (i > 0 && arrivals.get(i - 1) > tUs) {
            i--;
        }
        arrivals.insert(i, tUs);
    }

    public void outcome(long tUs, boolean good) {
        outcomes.addLast(tUs << 1 | (good ? 1 : 0));
    }

    /** Drops what is older than {@code endUs - window} and computes the window's statistics. */
    public Stats slide(long endUs) {
        long start = endUs - windowUs;
        while (!arrivals.isEmpty() && arrivals.first() < start) {
            arrivals.removeFirst();
        }
        while (!outcomes.isEmpty() && outcomes.first() >> 1 < start) {
            outcomes.removeFirst();
        }
        long n = 0;
        double sum = 0;
        double sumSq = 0;
        long prev = Long.MIN_VALUE;
        long count = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            long t = arrivals.get(i);
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
        for (int i = 0; i < outcomes.size(); i++) {
            long o = outcomes.get(i);
            long t = o >> 1;
            if (t >= start && t <= endUs) {
                responses++;
                good += o & 1;
            }
        }
        return new Stats(start, endUs, count, count / (windowUs / 1e6), cv, responses, good);
    }

    public boolean isEmpty() {
        return arrivals.isEmpty() && outcomes.isEmpty();
    }
}
