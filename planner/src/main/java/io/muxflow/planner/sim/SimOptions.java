package io.muxflow.planner.sim;

/**
 * Simulator parameters.
 *
 * @param fixedOverheadS        added to each request after its last stage; occupies no device
 * @param stageOverheadPerStage each stage latency is multiplied by {@code 1 + this x stages}
 *                              (parallelism overhead not captured by the profile)
 * @param float32               hold stage latencies and SLOs as float32, as AlpaServe's simulator does
 * @param warmupS               reported statistics drop {@code int(warmup / span x N)} requests from
 *                              each end (AlpaServe's warm-up trim); the search scores untrimmed
 * @param batching              queue requests and batch them (batch sizes from the profile) instead of
 *                              rejecting at arrival
 * @param maxBatch              largest batch when batching
 */
public record SimOptions(double fixedOverheadS, double stageOverheadPerStage, boolean float32, double warmupS,
        boolean batching, int maxBatch) {

    public SimOptions {
        if (fixedOverheadS < 0 || stageOverheadPerStage < 0 || warmupS < 0 || maxBatch < 1) {
            throw new IllegalArgumentException("simulator overheads and warm-up must be >= 0, max batch >= 1");
        }
    }

    /** Reproduces AlpaServe's fast simulator exactly (ARCHITECTURE.md, "AlpaServe-compatible simulation"). */
    public static SimOptions alpaServe() {
        return new SimOptions(0.011, 0.009, true, 10.0, false, 1);
    }

    /**
     * muxflow's defaults. The overheads are AlpaServe's figures until the serving benchmark measures
     * muxflow's own (docs/BENCHMARKS.md); latencies stay in double precision.
     */
    public static SimOptions defaults() {
        return new SimOptions(0.011, 0.009, false, 10.0, false, 1);
    }

    public SimOptions withBatching(int max) {
        return new SimOptions(fixedOverheadS, stageOverheadPerStage, float32, warmupS, true, max);
    }

    public SimOptions withOverheads(double fixed, double perStage) {
        return new SimOptions(fixed, perStage, float32, warmupS, batching, maxBatch);
    }

    public SimOptions withWarmup(double w) {
        return new SimOptions(fixedOverheadS, stageOverheadPerStage, float32, w, batching, maxBatch);
    }
}
