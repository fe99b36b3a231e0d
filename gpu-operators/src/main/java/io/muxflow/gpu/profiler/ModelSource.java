package io.muxflow.gpu.profiler;

import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.weights.SafetensorsWeights;
import io.muxflow.gpu.weights.SyntheticWeights;
import io.muxflow.gpu.weights.WeightSource;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model named on the command line: a {@code .safetensors} file with its config beside it, or a
 * named shape with seeded synthetic weights.
 */
public record ModelSource(ModelConfig config, WeightSource weights) {
    public static ModelSource resolve(String model, long seed) {
        if (model.endsWith(".safetensors") || Files.isRegularFile(Path.of(model))) {
            Path p = Path.of(model);
            if (!Files.exists(p)) {
                throw new io.muxflow.planner.InvalidInputException(model + ": no such file");
            }
            return new ModelSource(ModelConfig.besides(p), new SafetensorsWeights(p));
        }
        return new ModelSource(ModelConfig.named(model), new SyntheticWeights(seed));
    }
}
