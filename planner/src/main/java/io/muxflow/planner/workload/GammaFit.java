package io.muxflow.planner.workload;

/**
 * Maximum-likelihood fit of a Gamma distribution (location fixed at 0) to inter-arrival gaps, as
 * AlpaServe fits each window of the Azure 2021 trace. The shape {@code k} solves
 * {@code ln k - digamma(k) = ln(mean) - mean(ln x)} (Newton from Minka's closed-form start); the
 * scale is {@code mean / k}. The fitted process has rate {@code 1 / mean} and cv {@code 1/sqrt(k)}.
 */
public final class GammaFit {
    /** A fit: NaN fields when it failed (fewer than two gaps, non-positive gaps). */
    public record Result(double shape, double scale) {
        public double rate() {
            return 1.0 / (shape * scale);
        }

        public double cv() {
            return Math.sqrt(1.0 / shape);
        }

        public boolean ok() {
            return Double.isFinite(shape) && Double.isFinite(scale) && shape > 0 && scale > 0;
        }
    }

    private GammaFit() {
    }

    public static Result fit(double[] gaps) {
        if (gaps.length < 2) {
            return new Result(Double.NaN, Double.NaN);
        }
        double sum = 0;
        double sumLog = 0;
        for (double g : gaps) {
            if (!(g > 0)) {
                return new Result(Double.NaN, Double.NaN);
            }
            sum += g;
            sumLog += Math.log(g);
        }
        double mean = sum / gaps.length;
        double s = Math.log(mean) - sumLog / gaps.length;
        if (!(s > 1e-12)) {
            // All gaps equal: the shape goes to infinity (a clock); cap it so cv is ~0.
            return new Result(1e12, mean / 1e12);
        }
        double k = (3 - s + Math.sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
        for (int i = 0; i < 100; i++) {
            double f = Math.log(k) - digamma(k) - s;
            double df = 1.0 / k - trigamma(k);
            double next = k - f / df;
            if (!(next > 0)) {
                next = k / 2;
            }
            if (Math.abs(next - k) < 1e-12 * k) {
                k = next;
                break;
            }
            k = next;
        }
        return new Result(k, mean / k);
    }

    /** Digamma by recurrence to x >= 6 and the asymptotic series. */
    public static double digamma(double x) {
        double r = 0;
        while (x < 6) {
            r -= 1 / x;
            x += 1;
        }
        double f = 1 / (x * x);
        return r + Math.log(x) - 0.5 / x
                - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
    }

    /** Trigamma by recurrence to x >= 6 and the asymptotic series. */
    public static double trigamma(double x) {
        double r = 0;
        while (x < 6) {
            r += 1 / (x * x);
            x += 1;
        }
        double f = 1 / (x * x);
        return r + 1 / x + f / 2 + (1 / (x * x * x)) * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)));
    }
}
