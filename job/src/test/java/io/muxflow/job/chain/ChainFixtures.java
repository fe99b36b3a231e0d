package io.muxflow.job.chain;

import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.cpu.CpuBackend;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.model.TokenSampler;
import io.muxflow.job.config.ModelCatalog;
import io.muxflow.planner.plan.ChainDeployment;
import io.muxflow.planner.plan.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * The chain tests' setting: gpt2-chain (12 blocks) over three servers of unequal memory with uneven
 * block ranges [0, 5), [5, 9), [9, 12), one chain through all three with capacity {@code capacity}
 * (the servers' memory leaves exactly that much cache), and the unsplit model as the reference.
 */
public final class ChainFixtures {
    public static final String LLM = "gpt2-chain";

    private ChainFixtures() {
    }

    /** Block size 1 GB, cache 0.5 GB per block per job: server memory = blocks x (1 + 0.5 x capacity). */
    public static ChainDeployment deployment(int capacity) {
        int[][] ranges = {{0, 5}, {5, 4}, {9, 3}};
        List<ChainDeployment.Server> servers = new ArrayList<>();
        for (int j = 0; j < ranges.length; j++) {
            int n = ranges[j][1];
            servers.add(new ChainDeployment.Server(j, "cpu-" + j, n * (1 + 0.5 * capacity), 0.010 + j * 0.005,
                    0.002 * (j + 1), ranges[j][0], n));
        }
        ChainDeployment.Chain c = new ChainDeployment.Chain(new int[] {0, 1, 2}, new int[] {5, 4, 3}, 0.1, capacity);
        return new ChainDeployment(LLM, LLM, 12, 1.0, 0.5, 8, servers, List.of(c));
    }

    /** A serving plan with no groups and the chain section only. */
    public static Plan plan(int capacity) {
        return new Plan(1, "chains", List.of(), List.of(), Double.NaN, null, null).withChains(
                List.of(deployment(capacity)));
    }

    public static ModelConfig config() {
        return ModelConfig.named(LLM);
    }

    /**
     * What the unsplit model generates: one executor with all 12 blocks, embeddings and head, prefill
     * then one token at a time in one session, sampled as the chain's last server samples.
     */
    public static int[] reference(int[] prompt, int n, float temperature, int topK, long seed, int[] stops) {
        ModelConfig c = config();
        try (StageExecutor whole = new CpuBackend(1).load(c, StageSpec.whole(c), ModelCatalog.weights(LLM, null))) {
            List<Integer> out = new ArrayList<>();
            StageBatch in = StageBatch.tokens(List.of(StageItem.sessionTokens(1, 0, prompt)));
            int pos = prompt.length;
            for (int step = 0; step < n; step++) {
                float[] logits = whole.run(in).item(0).data();
                int t = TokenSampler.sample(logits, 0, c.vocab(), temperature, topK, seed, step);
                out.add(t);
                boolean stop = false;
                for (int s : stops) {
                    stop |= s == t;
                }
                if (stop) {
                    break;
                }
                in = StageBatch.tokens(List.of(StageItem.sessionTokens(1, pos, t)));
                pos++;
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
