package io.muxflow.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.weights.SafetensorsWeights;
import java.nio.file.Path;

/** The numpy reference models and outputs of tools/transformer_reference.py (test resources). */
public final class Reference {
    private Reference() {
    }

    public static Path dir() {
        try {
            return Path.of(Reference.class.getResource("/reference/bert.json").toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ModelConfig config(String name) {
        return ModelConfig.besides(dir().resolve(name + ".safetensors"));
    }

    public static SafetensorsWeights weights(String name) {
        return new SafetensorsWeights(dir().resolve(name + ".safetensors"));
    }

    public static JsonNode expected(String name) {
        try {
            return new ObjectMapper().readTree(dir().resolve(name + "-expected.json").toFile());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reference output (bert: pooled vector; gpt: logits) for one token sequence. */
    public static double[] output(String model, int[] tokens) {
        for (JsonNode e : expected(model)) {
            if (java.util.Arrays.equals(ints(e.get("tokens")), tokens)) {
                return doubles(e.get(model.equals("bert") ? "pooled" : "logits"));
            }
        }
        throw new IllegalArgumentException("no reference for " + java.util.Arrays.toString(tokens));
    }

    public static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asInt();
        }
        return out;
    }

    public static double[] doubles(JsonNode arr) {
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asDouble();
        }
        return out;
    }

    /** Largest |a - b| relative to max(1, max |b|). */
    public static double relError(float[] a, double[] b) {
        double scale = 1;
        for (double v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        double err = 0;
        for (int i = 0; i < b.length; i++) {
            err = Math.max(err, Math.abs(a[i] - b[i]));
        }
        return err / scale;
    }
}
