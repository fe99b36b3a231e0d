package io.muxflow.gpu.weights;

/**
 * Where a stage's weights come from: tensors by their Hugging Face name (BERT: {@code
 * encoder.layer.0.attention.self.query.weight}, GPT-2: {@code h.0.attn.c_attn.weight}), in Hugging
 * Face layout, checked against the shape the model config implies.
 */
public interface WeightSource {
    /** The tensor {@code name} with exactly {@code shape}, as fp32; errors name the source and tensor. */
    float[] get(String name, int... shape);

    /** A label for messages (a file path, "synthetic seed 7"). */
    String describe();
}
