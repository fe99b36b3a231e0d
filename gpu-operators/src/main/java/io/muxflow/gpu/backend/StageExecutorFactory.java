package io.muxflow.gpu.backend;

import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.weights.WeightSource;

/** Loads stages onto one device of one backend. */
public interface StageExecutorFactory {
    String backend();

    /** Loads stage {@code stage} of {@code model} with weights from {@code weights}. */
    StageExecutor load(ModelConfig model, StageSpec stage, WeightSource weights);

    /** Bytes all live executors of this factory hold on the device. */
    long deviceMemoryInUse();
}
