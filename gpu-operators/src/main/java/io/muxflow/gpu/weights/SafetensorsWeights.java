package io.muxflow.gpu.weights;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Weights from a safetensors file with Hugging Face BERT or GPT-2 tensor names. Checkpoints of model
 * heads prefix the names ({@code bert.}, {@code transformer.}); both forms are accepted.
 */
public final class SafetensorsWeights implements WeightSource {
    private static final List<String> PREFIXES = List.of("", "bert.", "transformer.", "model.");
    private final SafetensorsFile file;

    public SafetensorsWeights(Path path) {
        this.file = SafetensorsFile.open(path);
    }

    public SafetensorsFile file() {
        return file;
    }

    @Override
    public float[] get(String name, int... shape) {
        for (String p : PREFIXES) {
            SafetensorsFile.TensorInfo t = file.tensors().get(p + name);
            if (t != null) {
                if (!Arrays.equals(t.shape(), shape)) {
                    throw new WeightException(file.path() + ": tensor '" + p + name + "' has shape "
                            + Arrays.toString(t.shape()) + ", the model config needs " + Arrays.toString(shape));
                }
                return file.readFloats(p + name);
            }
        }
        throw new WeightException(file.path() + ": missing tensor '" + name + "' (shape " + Arrays.toString(shape) + ")");
    }

    @Override
    public String describe() {
        return file.path().toString();
    }
}
