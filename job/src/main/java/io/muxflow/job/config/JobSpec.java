package io.muxflow.job.config;

import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ProfileDatabase;
import java.io.Serializable;
import org.apache.flink.configuration.Configuration;

/**
 * What every operator of the serving job needs to know, shipped inside the operators: the plan, the
 * profiles it was made from (as JSON), the executor backend and the prediction overheads.
 */
public record JobSpec(String planJson, String profilesJson, String backend, String modelStore, double emulatedTimeScale,
        int cpuThreads, boolean gpuResource, long fixedOverheadUs, double stageOverheadFactor, int maxRequestBytes,
        String deadLetterTopic, io.muxflow.job.adapt.AdaptSpec adapt, ChainSpec chain, long dedupeRetentionUs, int maxBatch,
        int batchQueueCapacity)
        implements Serializable {

    public JobSpec {
        if (maxBatch < 1) {
            throw new io.muxflow.planner.InvalidInputException(MuxflowOptions.MAX_BATCH.key() + " must be 1 or more, got "
                    + maxBatch);
        }
        if (batchQueueCapacity < 1) {
            throw new io.muxflow.planner.InvalidInputException(MuxflowOptions.BATCH_QUEUE_CAPACITY.key()
                    + " must be 1 or more, got " + batchQueueCapacity);
        }
    }

    public static JobSpec of(Plan plan, ProfileDatabase profiles, Configuration conf) {
        return new JobSpec(io.muxflow.planner.io.Json.compact(plan.toJson()),
                io.muxflow.planner.io.Json.compact(profiles.toJson()), conf.get(MuxflowOptions.BACKEND),
                conf.getOptional(MuxflowOptions.MODEL_STORE).orElse(null), conf.get(MuxflowOptions.EMULATED_TIME_SCALE),
                conf.get(MuxflowOptions.CPU_THREADS), conf.get(MuxflowOptions.GPU_RESOURCE),
                conf.get(MuxflowOptions.FIXED_OVERHEAD).toNanos() / 1000, conf.get(MuxflowOptions.STAGE_OVERHEAD),
                conf.get(MuxflowOptions.MAX_REQUEST_BYTES), conf.get(MuxflowOptions.DEAD_LETTER_TOPIC),
                io.muxflow.job.adapt.AdaptSpec.of(conf), ChainSpec.of(conf),
                conf.get(MuxflowOptions.DEDUPE_RETENTION).toNanos() / 1000, conf.get(MuxflowOptions.MAX_BATCH),
                conf.get(MuxflowOptions.BATCH_QUEUE_CAPACITY));
    }

    /**
     * The prediction model's parameters: the configured overheads (the planner's defaults otherwise).
     * The dispatcher admits with them and the replanner simulates with them.
     */
    public io.muxflow.planner.sim.SimOptions simOptions() {
        return simOptions(fixedOverheadUs, stageOverheadFactor, maxBatch);
    }

    /** Whether the dispatcher queues requests and stages run them in batches. */
    public boolean batching() {
        return maxBatch > 1;
    }

    /** The same prediction parameters straight from a job configuration (what {@link #of} would ship). */
    public static io.muxflow.planner.sim.SimOptions simOptions(Configuration conf) {
        return simOptions(conf.get(MuxflowOptions.FIXED_OVERHEAD).toNanos() / 1000, conf.get(MuxflowOptions.STAGE_OVERHEAD),
                conf.get(MuxflowOptions.MAX_BATCH));
    }

    private static io.muxflow.planner.sim.SimOptions simOptions(long fixedOverheadUs, double stageOverheadFactor,
            int maxBatch) {
        var o = io.muxflow.planner.sim.SimOptions.defaults().withOverheads(fixedOverheadUs / 1e6, stageOverheadFactor);
        return maxBatch > 1 ? o.withBatching(maxBatch) : o;
    }

    public Plan plan() {
        return Plan.parse(io.muxflow.planner.io.Json.parse(planJson, "plan"), "plan");
    }

    public ProfileDatabase profiles() {
        return new ProfileDatabase(ProfileDatabase.parse(io.muxflow.planner.io.Json.parse(profilesJson, "profiles"),
                "profiles"));
    }
}
