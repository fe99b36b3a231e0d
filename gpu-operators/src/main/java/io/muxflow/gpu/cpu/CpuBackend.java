package io.muxflow.gpu.cpu;

import io.muxflow.gpu.backend.DeviceLedger;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.model.StageWeights;
import io.muxflow.gpu.weights.WeightSource;

/** Factory of {@code cpu} stages; {@code threads} > 1 splits each GEMM over that many threads. */
public final class CpuBackend implements StageExecutorFactory {
    private final int threads;
    private final DeviceLedger ledger = new DeviceLedger();

    public CpuBackend(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        this.threads = threads;
    }

    public CpuBackend() {
        this(1);
    }

    @Override
    public String backend() {
        return "cpu";
    }

    @Override
    public StageExecutor load(ModelConfig model, StageSpec stage, WeightSource weights) {
        return new CpuStageExecutor(StageWeights.load(model, stage, weights), threads, ledger);
    }

    @Override
    public long deviceMemoryInUse() {
        return ledger.used();
    }
}
