package io.muxflow.gpu.model;

import io.muxflow.planner.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a model into {@code pp} contiguous stages so that the costliest stage is as cheap as possible
 * (linear partition by dynamic programming). A block costs its FLOPs per token at a reference
 * sequence length; the first stage also pays for the embedding lookup and the last for the head
 * (GPT-2's LM head, a vocabulary-wide GEMV per sequence, weighs as much as several blocks).
 */
public final class StagePartitioner {
    private StagePartitioner() {
    }

    public static List<StageSpec> partition(ModelConfig c, int pp) {
        return partition(c, pp, 128);
    }

    public static List<StageSpec> partition(ModelConfig c, int pp, int referenceSeq) {
        if (pp < 1 || pp > c.layers()) {
            throw new InvalidInputException("model '" + c.name() + "' has " + c.layers()
                    + " layers: cannot cut it into " + pp + " stages");
        }
        int n = c.layers();
        double block = c.blockFlopsPerToken(referenceSeq) * referenceSeq;
        double embed = 2.0 * referenceSeq * c.hidden();
        double head = c.arch() == ModelConfig.Arch.GPT2
                ? 2.0 * c.vocab() * c.hidden() + 10.0 * referenceSeq * c.hidden()
                : 2.0 * c.hidden() * c.hidden();
        // cost of stage [i, j) given it is first/last
        double[][] best = new double[pp + 1][n + 1];
        int[][] cut = new int[pp + 1][n + 1];
        for (double[] row : best) {
            java.util.Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int s = 1; s <= pp; s++) {
            for (int j = s; j <= n - (pp - s); j++) {
                for (int i = s - 1; i < j; i++) {
                    if (best[s - 1][i] == Double.POSITIVE_INFINITY) {
                        continue;
                    }
                    double cost = (j - i) * block + (s == 1 ? embed : 0) + (s == pp ? head : 0);
                    double v = Math.max(best[s - 1][i], cost);
                    if (v < best[s][j] - 1e-9 * Math.abs(v)) {
                        best[s][j] = v;
                        cut[s][j] = i;
                    }
                }
            }
        }
        int[] bounds = new int[pp + 1];
        bounds[pp] = n;
        for (int s = pp; s >= 1; s--) {
            bounds[s - 1] = cut[s][bounds[s]];
        }
        List<StageSpec> out = new ArrayList<>();
        for (int s = 0; s < pp; s++) {
            out.add(new StageSpec(s, pp, bounds[s], bounds[s + 1]));
        }
        return out;
    }
}
