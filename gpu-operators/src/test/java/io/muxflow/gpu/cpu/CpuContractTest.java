package io.muxflow.gpu.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import io.muxflow.gpu.Reference;
import io.muxflow.gpu.backend.StageExecutorContract;
import io.muxflow.gpu.backend.StageExecutorFactory;
import java.util.Arrays;

class CpuContractTest extends StageExecutorContract {
    @Override
    protected StageExecutorFactory factory() {
        return new CpuBackend(2);
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
        return 2e-5;
    }
}
