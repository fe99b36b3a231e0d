package io.muxflow.gpu.cpu;

import io.muxflow.gpu.backend.DeviceLedger;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.model.StageWeights;
import io.muxflow.gpu.weights.WeightSource;

/**
 * Factory of {@code cpu} stages; {@code threads} > 1 splits each GEMM over that many threads. A stage
 * with op degree {@code op} runs tensor-parallel: its GEMMs are split over {@code op x threads}
 * threads (a cpu "device" is {@code threads} threads), with the op = 1 output up to float rounding.
 */
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
    public StageExecutor load(ModelConfig model, StageSpec stage, WeightSource weights, int op) {
        if (op < 1) {
            throw new IllegalArgumentException("op must be >= 1, got " + op);
        }
        return new CpuStageExecutor(StageWeights.load(model, stage, weights), threads * op, ledger);
    }

    @Override
    public int maxOp() {
        return Integer.MAX_VALUE;
    }

    @Override
    public long deviceMemoryInUse() {
        return ledger.used();
    }
}
