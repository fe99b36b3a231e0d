package io.muxflow.planner.profile;

import io.muxflow.planner.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a transformer model, enough to estimate its cost: number of blocks, hidden size,
 * attention heads, sequence length, vocabulary, MLP expansion and bytes per weight.
 */
public record TransformerShape(String name, int layers, int hidden, int heads, int seqLen, int vocab,
        int ffnMult, int dtypeBytes) {

    public TransformerShape {
        if (layers < 1 || hidden < 1 || heads < 1 || seqLen < 1 || vocab < 1 || ffnMult < 1 || dtypeBytes < 1) {
            throw new IllegalArgumentException("transformer shape '" + name + "': all sizes must be >= 1");
        }
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("transformer shape '" + name + "': hidden " + hidden
                    + " is not divisible by heads " + heads);
        }
    }

    /** Weights of one transformer block (attention, MLP, two layer norms), in parameters. */
    public long blockParams() {
        long h = hidden;
        long f = (long) ffnMult * h;
        return 4 * h * h + 4 * h + 2 * h * f + f + h + 4 * h;
    }

    /** Embedding (token + position) parameters, held by the first stage. */
    public long embeddingParams() {
        return (long) vocab * hidden + (long) seqLen * hidden + 2L * hidden;
    }

    /** Output head parameters (pooler), held by the last stage. */
    public long headParams() {
        return (long) hidden * hidden + hidden;
    }

    public long totalParams() {
        return layers * blockParams() + embeddingParams() + headParams();
    }

    /** FLOPs of one block for {@code batch} sequences: projections, attention scores, MLP. */
    public double blockFlops(int batch) {
        double b = batch;
        double s = seqLen;
        double h = hidden;
        double f = (double) ffnMult * h;
        return b * s * (8 * h * h + 4 * s * h + 4 * h * f);
    }

    private static final Map<String, TransformerShape> NAMED = new LinkedHashMap<>();

    static {
        // BERT-style encoders at the sizes AlpaServe evaluates (GPT-3 shapes), sequence 1024, fp16.
        put(new TransformerShape("bert-base", 12, 768, 12, 1024, 30522, 4, 2));
        put(new TransformerShape("bert-large", 24, 1024, 16, 1024, 30522, 4, 2));
        put(new TransformerShape("bert-1.3b", 24, 2048, 32, 1024, 51200, 4, 2));
        put(new TransformerShape("bert-2.6b", 32, 2560, 32, 1024, 51200, 4, 2));
        put(new TransformerShape("bert-6.7b", 32, 4096, 32, 1024, 51200, 4, 2));
        put(new TransformerShape("bert-13b", 40, 5120, 40, 1024, 51200, 4, 2));
    }

    private static void put(TransformerShape s) {
        NAMED.put(s.name(), s);
    }

    public static Map<String, TransformerShape> named() {
        return java.util.Collections.unmodifiableMap(NAMED);
    }

    public static TransformerShape named(String name) {
        TransformerShape s = NAMED.get(name);
        if (s == null) {
            throw new InvalidInputException("unknown model shape '" + name + "' (known: "
                    + String.join(", ", NAMED.keySet()) + ")");
        }
        return s;
    }
}
