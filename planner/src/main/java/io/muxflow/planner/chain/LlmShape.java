package io.muxflow.planner.chain;

import io.muxflow.planner.InvalidInputException;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a decoder LLM for the server-chain cost model: number of blocks, stored bytes per
 * block (which may be quantised), hidden size and parameters per block (which set the FLOPs).
 *
 * @param name model name
 * @param blocks transformer blocks L
 * @param blockGb stored size of one block s_m, GB
 * @param dModel hidden size
 * @param paramsPerBlock parameters of one block (FLOPs per token = 2 x this)
 * @param kvBytes bytes per cached key or value element (2 for fp16)
 */
public record LlmShape(String name, int blocks, double blockGb, int dModel, double paramsPerBlock, int kvBytes) {
    public LlmShape {
        if (blocks < 1 || dModel < 1 || kvBytes < 1) {
            throw new InvalidInputException("model " + name + ": blocks, d_model and kv_bytes must be >= 1");
        }
        if (!(blockGb > 0) || !(paramsPerBlock > 0)) {
            throw new InvalidInputException("model " + name + ": block_gb and params_per_block must be > 0");
        }
    }

    /**
     * BLOOM-176B as in the paper's simulations: 70 blocks of 1.32 GB, d_model 14336; FLOPs from its
     * 12 d^2 parameters per block.
     */
    public static LlmShape bloom176b() {
        return new LlmShape("bloom-176b", 70, 1.32, 14336, 12.0 * 14336 * 14336, 2);
    }

    /**
     * A Llama-2-13B-shaped model in fp16 (40 blocks, d_model 5120, FFN 13824): small enough that a
     * 40 GB device holds a whole replica, for the replica baseline.
     */
    public static LlmShape llama13b() {
        double params = 4.0 * 5120 * 5120 + 3.0 * 5120 * 13824;
        return new LlmShape("llama-2-13b", 40, params * 2 / 1e9, 5120, params, 2);
    }

    public static List<String> builtinNames() {
        return List.of("bloom-176b", "llama-2-13b");
    }

    public static LlmShape builtin(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "bloom-176b" -> bloom176b();
            case "llama-2-13b" -> llama13b();
            default -> throw new InvalidInputException("unknown model '" + name + "'; built-in models: "
                    + builtinNames() + " (or give a model JSON file)");
        };
    }

    /** KV cache of one job on one block: keys and values of every token, GB. */
    public double cacheGbPerBlock(int tokens) {
        return 2.0 * dModel * (double) tokens * kvBytes / 1e9;
    }
}
