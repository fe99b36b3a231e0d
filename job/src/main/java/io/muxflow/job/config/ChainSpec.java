package io.muxflow.job.config;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.sim.chain.ChainRouters;
import java.io.Serializable;
import org.apache.flink.configuration.Configuration;

/** The chain path's settings, from {@link MuxflowOptions}. */
public record ChainSpec(String router, int queueCapacity, int maxNewTokens, long silenceGraceUs, double petalsPenaltyS,
        boolean streamTokens)
        implements Serializable {
    public ChainSpec {
        if (!ChainRouters.NAMES.contains(router)) {
            throw new InvalidInputException(MuxflowOptions.CHAIN_ROUTER.key() + " must be one of " + ChainRouters.NAMES
                    + ", got '" + router + "'");
        }
        if (queueCapacity < 0 || maxNewTokens < 1) {
            throw new InvalidInputException(MuxflowOptions.CHAIN_QUEUE_CAPACITY.key() + " must be >= 0 and "
                    + MuxflowOptions.CHAIN_MAX_NEW_TOKENS.key() + " >= 1");
        }
    }

    public static ChainSpec of(Configuration c) {
        return new ChainSpec(c.get(MuxflowOptions.CHAIN_ROUTER), c.get(MuxflowOptions.CHAIN_QUEUE_CAPACITY),
                c.get(MuxflowOptions.CHAIN_MAX_NEW_TOKENS), c.get(MuxflowOptions.CHAIN_SILENCE_GRACE).toNanos() / 1000,
                c.get(MuxflowOptions.CHAIN_PETALS_PENALTY), c.get(MuxflowOptions.CHAIN_STREAM_TOKENS));
    }
}
