package io.muxflow.gpu.cpu;

/** The non-GEMM operations of a transformer block, in plain Java, deterministic. */
public final class Ops {
    private Ops() {
    }

    /** In place: each row of x (rows x width) normalized, then scaled by g and shifted by b. */
    public static void layerNorm(float[] x, int rows, int width, float[] g, float[] b, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            double mean = 0;
            for (int j = 0; j < width; j++) {
                mean += x[o + j];
            }
            mean /= width;
            double var = 0;
            for (int j = 0; j < width; j++) {
                double d = x[o + j] - mean;
                var += d * d;
            }
            var /= width;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int j = 0; j < width; j++) {
                x[o + j] = (float) ((x[o + j] - mean) * inv) * g[j] + b[j];
            }
        }
    }

    /** Copy of x with the layer norm applied. */
    public static float[] layerNormCopy(float[] x, int rows, int width, float[] g, float[] b, float eps) {
        float[] y = x.clone();
        layerNorm(y, rows, width, g, b, eps);
        return y;
    }

    /** x += y elementwise. */
    public static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    /** BERT's GELU: x/2 (1 + erf(x / sqrt 2)), in place. */
    public static void geluErf(float[] x) {
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1.0 + erf(v / Math.sqrt(2.0))));
        }
    }

    /** GPT-2's GELU: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), in place. */
    public static void geluTanh(float[] x) {
        final double k = Math.sqrt(2.0 / Math.PI);
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1.0 + Math.tanh(k * (v + 0.044715 * v * v * v))));
        }
    }

    /**
     * erf by Abramowitz and Stegun 7.1.26 in double precision: absolute error below 1.5e-7, under
     * float resolution for GELU's purposes, and without loops on the hot path.
     */
    public static double erf(double x) {
        double a = Math.abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * a);
        double y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                * t * Math.exp(-a * a);
        return x < 0 ? -y : y;
    }

    /** tanh in place. */
    public static void tanh(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.tanh(x[i]);
        }
    }
}
