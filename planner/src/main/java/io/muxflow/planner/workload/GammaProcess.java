package io.muxflow.planner.workload;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A Gamma renewal arrival process (AlpaServe's workload model): inter-arrival gaps are Gamma with
 * shape {@code 1/cv^2} and scale {@code cv^2/rate}, so the mean rate is {@code rate} and the gaps'
 * coefficient of variation is {@code cv}; {@code cv = 1} is Poisson, {@code cv = 0} is a
 * deterministic clock. Seeded, so a (rate, cv, seed) triple always yields the same arrivals.
 */
public record GammaProcess(double rate, double cv) {

    public GammaProcess {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("arrival rate must be a positive number, got " + rate);
        }
        if (!(cv >= 0) || Double.isInfinite(cv)) {
            throw new IllegalArgumentException("cv must be >= 0, got " + cv);
        }
    }

    public double shape() {
        return 1.0 / (cv * cv);
    }

    public double scale() {
        return cv * cv / rate;
    }

    public double nextGap(RandomGenerator rng) {
        if (cv == 0) {
            return 1.0 / rate;
        }
        return GammaSampler.sample(rng, shape(), scale());
    }

    /** Arrivals in {@code [start, start + duration)}: the first at {@code start + gap}. */
    public double[] generate(double start, double duration, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double end = start + duration;
        double[] out = new double[Math.max(16, (int) Math.min(1 << 26, rate * duration * 1.2))];
        int n = 0;
        double cur = start + nextGap(rng);
        while (cur < end) {
            if (n == out.length) {
                out = java.util.Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = cur;
            cur += nextGap(rng);
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
