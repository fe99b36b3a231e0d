package io.muxflow.planner.workload;

/**
 * Splits a total request rate over {@code n} models by a power law, {@code rate_i ∝ (i+1)^-alpha}
 * (AlpaServe's skewed popularity; {@code alpha = 0} is uniform).
 */
public final class PowerLaw {
    public static final double DEFAULT_ALPHA = 0.5;

    private PowerLaw() {
    }

    public static double[] split(double totalRate, int n, double alpha) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one model to split a rate over");
        }
        if (!(totalRate > 0)) {
            throw new IllegalArgumentException("total rate must be > 0, got " + totalRate);
        }
        double[] w = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = Math.pow(i + 1, -alpha);
            sum += w[i];
        }
        for (int i = 0; i < n; i++) {
            w[i] = totalRate * w[i] / sum;
        }
        return w;
    }
}
