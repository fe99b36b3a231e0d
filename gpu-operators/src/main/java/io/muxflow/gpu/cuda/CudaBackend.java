package io.muxflow.gpu.cuda;

import io.muxflow.gpu.backend.DeviceLedger;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.model.StageWeights;
import io.muxflow.gpu.weights.WeightSource;

/** Factory of {@code cuda} stages on one GPU. Throws a clear ExecutorException where there is none. */
public final class CudaBackend implements StageExecutorFactory {
    private final CudaDevice device;
    private final DeviceLedger ledger = new DeviceLedger();

    public CudaBackend(int deviceIndex) {
        this.device = CudaDevice.get(deviceIndex);
    }

    @Override
    public String backend() {
        return "cuda";
    }

    @Override
    public StageExecutor load(ModelConfig model, StageSpec stage, WeightSource weights) {
        return new CudaStageExecutor(device, StageWeights.load(model, stage, weights), ledger);
    }

    @Override
    public long deviceMemoryInUse() {
        return ledger.used();
    }
}
