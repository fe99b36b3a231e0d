package io.muxflow.gpu.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import io.muxflow.gpu.Reference;
import io.muxflow.gpu.RequiresGpu;
import io.muxflow.gpu.backend.StageExecutorContract;
import io.muxflow.gpu.backend.StageExecutorFactory;
import java.util.Arrays;

/** The contract on a real GPU (skipped where there is none). fp32 kernels and cuBLAS: 1e-4 of the reference. */
@RequiresGpu
class CudaContractTest extends StageExecutorContract {
    @Override
    protected StageExecutorFactory factory() {
        return new CudaBackend(0);
    }

    @Override
    protected double[] expected(String model, int[] tokens) {
        for (JsonNode e : Reference.expected(model)) {
            if (Arrays.equals(Reference.ints(e.get("tokens")), tokens)) {
                return Reference.doubles(e.get(model.equals("bert") ? "pooled" : "logits"));
            }
        }
        throw new IllegalArgumentException("no reference for " + Arrays.toString(tokens));
    }

    @Override
    protected double tolerance() {
        return 1e-4;
    }
}
