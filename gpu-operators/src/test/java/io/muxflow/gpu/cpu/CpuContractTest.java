package io.muxflow.gpu.cpu;

import io.muxflow.gpu.backend.StageExecutorContract;
import io.muxflow.gpu.backend.StageExecutorFactory;

class CpuContractTest extends StageExecutorContract {
    @Override
    protected StageExecutorFactory factory() {
        return new CpuBackend(2);
    }

    @Override
    protected double tolerance() {
        return 2e-5;
    }
}
