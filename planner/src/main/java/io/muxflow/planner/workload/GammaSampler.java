package io.muxflow.planner.workload;

import java.util.random.RandomGenerator;

/**
 * Gamma variates by Marsaglia and Tsang's squeeze method (ACM TOMS 2000); shapes below 1 use the
 * boost {@code Gamma(a) = Gamma(a + 1) * U^(1/a)}.
 */
public final class GammaSampler {
    private GammaSampler() {
    }

    public static double sample(RandomGenerator rng, double shape, double scale) {
        if (!(shape > 0) || !(scale > 0)) {
            throw new IllegalArgumentException("gamma shape and scale must be > 0");
        }
        if (shape < 1) {
            double u = rng.nextDouble();
            while (u == 0) {
                u = rng.nextDouble();
            }
            // Work in logs: for tiny shapes u^(1/a) underflows, and a gap of 0 is a legal burst.
            return sample(rng, shape + 1, scale) * Math.exp(Math.log(u) / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x;
            double v;
            do {
                x = rng.nextGaussian();
                v = 1.0 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1.0 - 0.0331 * x * x * x * x) {
                return d * v * scale;
            }
            if (Math.log(u) < 0.5 * x * x + d * (1.0 - v + Math.log(v))) {
                return d * v * scale;
            }
        }
    }
}
