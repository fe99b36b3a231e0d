package io.muxflow.gpu.weights;

import java.util.SplittableRandom;

/**
 * Seeded synthetic weights for models known only by shape: each tensor is drawn from its own
 * generator seeded by (seed, tensor name), so any stage of any split sees the same values. Layer-norm
 * scales are near 1, everything else is N(0, 0.02^2) as in BERT and GPT-2 initialization.
 */
public final class SyntheticWeights implements WeightSource {
    private final long seed;

    public SyntheticWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public float[] get(String name, int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] out = new float[Math.toIntExact(n)];
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode() * 0xC2B2AE3D27D4EB4FL
                ^ (long) name.length() << 32);
        boolean lnScale = (name.contains("LayerNorm") || name.contains("ln_")) && (name.endsWith("weight") || name.endsWith(".g"));
        for (int i = 0; i < out.length; i++) {
            double g = rng.nextGaussian();
            out[i] = (float) (lnScale ? 1.0 + 0.02 * g : 0.02 * g);
        }
        return out;
    }

    @Override
    public String describe() {
        return "synthetic weights (seed " + seed + ")";
    }
}
