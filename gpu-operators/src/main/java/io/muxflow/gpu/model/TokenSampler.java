package io.muxflow.gpu.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a decoder's logits. Temperature 0 is greedy (the highest logit, ties to
 * the lowest id); otherwise softmax(logits / temperature) over the {@code topK} highest logits (all
 * when 0), sampled with one uniform number drawn from a generator seeded by the request's seed and the
 * step. The token at step s therefore depends only on the seed, s and the logits: a job resumed on
 * another chain after a failure, or run unsplit, makes the same tokens.
 */
public final class TokenSampler {
    private TokenSampler() {
    }

    public static int sample(float[] logits, int offset, int vocab, float temperature, int topK, long seed, int step) {
        if (temperature == 0f || topK == 1) {
            return argmax(logits, offset, vocab);
        }
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        int k = topK <= 0 || topK > vocab ? vocab : topK;
        if (k < vocab) {
            // highest logits first, ties to the lower id: a total order, so the choice is reproducible
            Arrays.sort(order, (a, b) -> {
                int c = Float.compare(logits[offset + b], logits[offset + a]);
                return c != 0 ? c : Integer.compare(a, b);
            });
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            max = Math.max(max, logits[offset + order[i]]);
        }
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp((logits[offset + order[i]] - max) / temperature);
            sum += p[i];
        }
        double u = uniform(seed, step) * sum;
        double acc = 0;
        for (int i = 0; i < k; i++) {
            acc += p[i];
            if (u < acc) {
                return order[i];
            }
        }
        return order[k - 1];
    }

    /** A uniform number in [0, 1) that depends only on the seed and the step. */
    public static double uniform(long seed, int step) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step).nextDouble();
    }

    static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
