package io.muxflow.planner.chain;

import io.muxflow.planner.InvalidInputException;

/**
 * A model served as a chain of {@code L} equal blocks: each block takes {@code s_m} GB of weights and
 * every job in progress needs {@code s_c} GB of attention cache on each block it runs.
 *
 * @param name model name
 * @param blocks number of blocks L
 * @param blockGb block size s_m in GB
 * @param cacheGbPerBlock cache per block per concurrent job s_c in GB
 */
public record ChainModel(String name, int blocks, double blockGb, double cacheGbPerBlock) {
    public ChainModel {
        if (blocks < 1) {
            throw new InvalidInputException("model " + name + ": blocks must be >= 1, got " + blocks);
        }
        if (!(blockGb > 0) || !Double.isFinite(blockGb)) {
            throw new InvalidInputException("model " + name + ": block size must be > 0 GB, got " + blockGb);
        }
        if (!(cacheGbPerBlock > 0) || !Double.isFinite(cacheGbPerBlock)) {
            throw new InvalidInputException("model " + name + ": cache per block per job must be > 0 GB, got "
                    + cacheGbPerBlock);
        }
    }
}
