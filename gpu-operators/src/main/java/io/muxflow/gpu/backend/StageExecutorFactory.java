package io.muxflow.gpu.backend;

import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.weights.WeightSource;

/** Loads stages onto one device of one backend. */
public interface StageExecutorFactory {
    String backend();

    /** Loads stage {@code stage} of {@code model} with weights from {@code weights}. */
    StageExecutor load(ModelConfig model, StageSpec stage, WeightSource weights);

    /**
     * Loads a stage that runs intra-operator parallel over {@code op} devices (AlpaServe's op degree:
     * each GEMM split across them). Backends that cannot refuse with the reason; see {@link #maxOp}.
     */
    default StageExecutor load(ModelConfig model, StageSpec stage, WeightSource weights, int op) {
        if (op == 1) {
            return load(model, stage, weights);
        }
        throw new ExecutorException("backend '" + backend() + "' runs every stage on one device; a stage over " + op
                + " devices (op = " + op + ") cannot be executed");
    }

    /** The largest op degree {@link #load(ModelConfig, StageSpec, WeightSource, int)} executes. */
    default int maxOp() {
        return 1;
    }

    /** Bytes all live executors of this factory hold on the device. */
    long deviceMemoryInUse();
}
