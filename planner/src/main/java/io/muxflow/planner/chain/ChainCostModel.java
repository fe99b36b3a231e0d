package io.muxflow.planner.chain;

import io.muxflow.planner.InvalidInputException;

/**
 * Per-server costs of one job in the server-chain model, from the device and the job's lengths
 * (l_in prompt tokens, l_out generated tokens), following the paper's evaluation setup:
 * <ul>
 *   <li>{@code tau_p} per block = prefill, compute-bound ({@code 2 P l_in / FLOPS}), plus
 *       {@code l_out - 1} decode steps, each bound by the larger of reading the block's weights
 *       ({@code s_m / bandwidth}) and its FLOPs ({@code 2 P / FLOPS});</li>
 *   <li>{@code tau_c} per visit = one round trip per forward pass ({@code l_out} passes) plus, when
 *       the device names a network bandwidth, the activations of all tokens in fp16;</li>
 *   <li>{@code s_c} = keys and values of {@code l_in + l_out} tokens per block.</li>
 * </ul>
 */
public final class ChainCostModel {
    private ChainCostModel() {
    }

    /** The chain model (block and cache sizes) of an LLM for jobs of these lengths. */
    public static ChainModel model(LlmShape llm, int lIn, int lOut) {
        checkLengths(lIn, lOut);
        return new ChainModel(llm.name(), llm.blocks(), llm.blockGb(), llm.cacheGbPerBlock(lIn + lOut));
    }

    /** Server j of the given device class for jobs of these lengths (tau_c = l_out round trips). */
    public static ServerSpec server(int id, String name, ChainDevice d, LlmShape llm, int lIn, int lOut) {
        return server(id, name, d, llm, lIn, lOut, 0);
    }

    /**
     * Server j, its first round trip carrying the prompt {@code inputExtraMs} longer than the others:
     * tau_c = RTT_input + (l_out - 1) x RTT with RTT_input = RTT + inputExtraMs, as the paper's servers
     * on a real network ({@link GeoServers}).
     */
    public static ServerSpec server(int id, String name, ChainDevice d, LlmShape llm, int lIn, int lOut,
            double inputExtraMs) {
        checkLengths(lIn, lOut);
        double flops = d.tflops() * 1e12;
        double prefill = 2.0 * llm.paramsPerBlock() * lIn / flops;
        double decodeStep = Math.max(llm.blockGb() / d.bandwidthGbPerMs() / 1e3, 2.0 * llm.paramsPerBlock() / flops);
        double blockS = prefill + (lOut - 1) * decodeStep;
        double commS = (lOut * d.rttMs() + inputExtraMs) / 1e3;
        if (d.networkGbps() > 0) {
            double bytes = (double) (lIn + lOut - 1) * llm.dModel() * 2;
            commS += bytes * 8 / (d.networkGbps() * 1e9);
        }
        return new ServerSpec(id, name, d.memoryGb(), commS, blockS);
    }

    private static void checkLengths(int lIn, int lOut) {
        if (lIn < 1 || lOut < 1) {
            throw new InvalidInputException("l_in and l_out must be >= 1, got " + lIn + " and " + lOut);
        }
    }
}
