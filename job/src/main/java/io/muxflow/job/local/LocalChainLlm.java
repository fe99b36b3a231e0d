package io.muxflow.job.local;

import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.cpu.CpuBackend;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.job.config.ModelCatalog;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ChainModel;
import io.muxflow.planner.chain.ServerSpec;
import io.muxflow.planner.placement.chain.ChainPlanner;
import io.muxflow.planner.plan.ChainDeployment;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The local stack's LLM: {@code gpt2-chain} (a GPT-2-style decoder of 12 narrow blocks) served as a
 * server chain over three cpu chain servers of unequal memory, placed by the chain planner (GBP-CR,
 * GCA) from times measured here. Memory is in units of one block's weights: the servers hold 5.5,
 * 4.5 and 3.5 blocks' worth, so no two of them hold the whole model and every job's chain spans all
 * three.
 */
public final class LocalChainLlm {
    public static final String NAME = "gpt2-chain";
    /** Prompt and generated tokens of the jobs the servers are costed for. */
    public static final int PROMPT = 16;
    public static final int TOKENS = 16;
    /** One job's attention cache on one block, in block units (prompt + tokens, keys and values, fp32). */
    static final double CACHE_PER_BLOCK = 0.04;
    /** The hop through Kafka per visit, as measured on loopback (docs/BENCHMARKS.md): the paper's RTT. */
    static final double HOP_S = 0.002;

    private LocalChainLlm() {
    }

    /** Measures a block here, then plans the chains for {@code rate} jobs/s. */
    public static ChainDeployment plan(double rate, PrintWriter log) {
        ModelConfig c = ModelConfig.named(NAME);
        double blockS = measureBlockS(c);
        log.printf("planning %s: %d blocks over 3 cpu chain servers (a block runs a %d+%d-token job in %.2f ms)%n",
                NAME, c.layers(), PROMPT, TOKENS, blockS * 1e3);
        log.flush();
        double[] memory = {5.5, 4.5, 3.5};
        List<ServerSpec> servers = new ArrayList<>();
        for (int j = 0; j < memory.length; j++) {
            servers.add(new ServerSpec(j, "cpu-chain-" + j, memory[j], HOP_S * TOKENS, blockS));
        }
        ChainInstance inst = new ChainInstance(new ChainModel(NAME, c.layers(), 1.0, CACHE_PER_BLOCK), servers);
        ChainPlanner.ChainPlan p = ChainPlanner.plan(inst, rate, ChainPlanner.Options.defaults());
        return ChainDeployment.of(NAME, NAME, inst, p.chosen().placement().placement(), p.chosen().chains(), TOKENS);
    }

    /** Seconds one block takes for one job: a prompt prefill and a token at a time after it. */
    static double measureBlockS(ModelConfig c) {
        try (StageExecutor block = new CpuBackend(1).load(c, new StageSpec(1, c.layers(), 1, 2),
                ModelCatalog.weights(NAME, null))) {
            float[] rows = new float[PROMPT * c.hidden()];
            double best = Double.MAX_VALUE;
            for (int rep = 0; rep < 5; rep++) {
                long session = rep + 1;
                long t0 = System.nanoTime();
                block.run(new StageBatch(List.of(StageItem.ofData(session, 0, PROMPT, rows)), c.hidden()));
                for (int t = 0; t < TOKENS - 1; t++) {
                    block.run(new StageBatch(List.of(StageItem.ofData(session, PROMPT + t, 1,
                            new float[c.hidden()])), c.hidden()));
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                block.release(session);
            }
            return best;
        }
    }
}
