package io.muxflow.job.adapt;

import io.muxflow.job.config.MuxflowOptions;
import java.io.Serializable;
import org.apache.flink.configuration.Configuration;

/** The adaptation settings the re-planner runs with (all µs), from {@link MuxflowOptions}. */
public record AdaptSpec(boolean enabled, boolean recommendOnly, long windowUs, long slideUs, long intervalUs,
        long stabilizationUs, long cooldownUs, double deadBand, long horizonUs, long redeployCostUs, long searchBudgetUs,
        double memGb) implements Serializable {

    public static AdaptSpec of(Configuration c) {
        return new AdaptSpec(c.get(MuxflowOptions.ADAPT), c.get(MuxflowOptions.RECOMMEND_ONLY),
                us(c.get(MuxflowOptions.STATS_WINDOW)), us(c.get(MuxflowOptions.STATS_SLIDE)),
                us(c.get(MuxflowOptions.EVALUATION_INTERVAL)), us(c.get(MuxflowOptions.STABILIZATION)),
                us(c.get(MuxflowOptions.COOLDOWN)), c.get(MuxflowOptions.DEAD_BAND), us(c.get(MuxflowOptions.HORIZON)),
                us(c.get(MuxflowOptions.REDEPLOY_COST)), us(c.get(MuxflowOptions.SEARCH_BUDGET)),
                c.get(MuxflowOptions.ADAPT_MEM_GB));
    }

    private static long us(java.time.Duration d) {
        return d.toNanos() / 1000;
    }
}
