package io.muxflow.gpu.cuda;

import io.muxflow.gpu.RequiresGpu;
import io.muxflow.gpu.backend.StageExecutorContract;
import io.muxflow.gpu.backend.StageExecutorFactory;

/** The contract on a real GPU (skipped where there is none). fp32 kernels and cuBLAS: 1e-4 of the reference. */
@RequiresGpu
class CudaContractTest extends StageExecutorContract {
    @Override
    protected StageExecutorFactory factory() {
        return new CudaBackend(0);
    }

    @Override
    protected double tolerance() {
        return 1e-4;
    }
}
