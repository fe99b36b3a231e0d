package io.muxflow.gpu.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a transformer model the executors can run: a BERT-style encoder (post-LN blocks, erf
 * GELU; output the pooled [CLS] vector or every token's hidden state) or a GPT-2-style decoder
 * (pre-LN causal blocks, tanh GELU, per-request KV cache; output the next-token logits of the last
 * position). All math is fp32.
 */
public record ModelConfig(String name, Arch arch, int layers, int hidden, int heads, int intermediate, int vocab,
        int maxPositions, int typeVocab, float layerNormEps, Output output) {

    public enum Arch { BERT, GPT2 }

    /** What the last stage returns per request. */
    public enum Output {
        /** BERT: tanh(W [CLS] + b), one vector of width hidden. */
        POOLED,
        /** The final hidden state of every token. */
        TOKENS,
        /** GPT-2: logits over the vocabulary for the last position. */
        LOGITS
    }

    public ModelConfig {
        if (layers < 1 || hidden < 1 || heads < 1 || intermediate < 1 || vocab < 1 || maxPositions < 1) {
            throw new InvalidInputException("model '" + name + "': sizes must be >= 1");
        }
        if (hidden % heads != 0) {
            throw new InvalidInputException("model '" + name + "': hidden " + hidden + " not divisible by heads " + heads);
        }
        if (arch == Arch.GPT2 && output == Output.POOLED) {
            throw new InvalidInputException("model '" + name + "': a GPT-2 decoder has no pooled output");
        }
        if (arch == Arch.BERT && output == Output.LOGITS) {
            throw new InvalidInputException("model '" + name + "': a BERT encoder has no LM head");
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    public boolean causal() {
        return arch == Arch.GPT2;
    }

    /** Width of each row the last stage returns. */
    public int outputWidth() {
        return output == Output.LOGITS ? vocab : hidden;
    }

    /** Parameters of one block (QKV, output projection, MLP, two layer norms). */
    public long blockParams() {
        long h = hidden;
        return 3 * h * h + 3 * h + h * h + h + 2L * h * intermediate + intermediate + h + 4 * h;
    }

    public long embeddingParams() {
        long p = (long) vocab * hidden + (long) maxPositions * hidden;
        if (arch == Arch.BERT) {
            p += (long) typeVocab * hidden + 2L * hidden;
        }
        return p;
    }

    /** Head parameters held only by the last stage (GPT-2's LM head is tied to the embeddings). */
    public long headParams() {
        return arch == Arch.BERT ? (long) hidden * hidden + hidden : 2L * hidden;
    }

    /** FLOPs of one block for one token attending {@code context} tokens. */
    public double blockFlopsPerToken(int context) {
        double h = hidden;
        return 2 * (4 * h * h + 2 * h * intermediate) + 4.0 * context * h;
    }

    public ModelConfig withOutput(Output o) {
        return new ModelConfig(name, arch, layers, hidden, heads, intermediate, vocab, maxPositions, typeVocab,
                layerNormEps, o);
    }

    public ModelConfig withName(String n) {
        return new ModelConfig(n, arch, layers, hidden, heads, intermediate, vocab, maxPositions, typeVocab,
                layerNormEps, output);
    }

    private static final Map<String, ModelConfig> NAMED = new LinkedHashMap<>();

    static {
        bert("bert-tiny", 2, 128, 2, 512);
        bert("bert-mini", 4, 256, 4, 512);
        bert("bert-small", 4, 512, 8, 512);
        bert("bert-medium", 8, 512, 8, 512);
        bert("bert-base", 12, 768, 12, 512);
        bert("bert-large", 24, 1024, 16, 512);
        bert("bert-1.3b", 24, 2048, 32, 1024);
        gpt2("gpt2-tiny", 2, 128, 2, 1024);
        gpt2("gpt2", 12, 768, 12, 1024);
        gpt2("gpt2-medium", 24, 1024, 16, 1024);
        // narrow and deep: the local stack's LLM, split block by block over chain servers on a CPU
        gpt2("gpt2-chain", 12, 128, 2, 1024);
    }

    private static void bert(String n, int l, int h, int a, int pos) {
        NAMED.put(n, new ModelConfig(n, Arch.BERT, l, h, a, 4 * h, 30522, pos, 2, 1e-12f, Output.POOLED));
    }

    private static void gpt2(String n, int l, int h, int a, int pos) {
        NAMED.put(n, new ModelConfig(n, Arch.GPT2, l, h, a, 4 * h, 50257, pos, 0, 1e-5f, Output.LOGITS));
    }

    public static Map<String, ModelConfig> named() {
        return java.util.Collections.unmodifiableMap(NAMED);
    }

    public static ModelConfig named(String name) {
        ModelConfig c = NAMED.get(name);
        if (c == null) {
            throw new InvalidInputException("unknown model '" + name + "' (named shapes: "
                    + String.join(", ", NAMED.keySet()) + "; or give a .safetensors file with a config beside it)");
        }
        return c;
    }

    /**
     * Reads a Hugging Face {@code config.json} ({@code model_type} bert or gpt2) or this class's own
     * JSON form ({@code arch}, {@code layers}, ...).
     */
    public static ModelConfig fromJson(JsonNode n, String name, String where) {
        String type = n.path("model_type").asText(n.path("arch").asText(""));
        try {
            switch (type.toLowerCase()) {
                case "bert" -> {
                    int h = Json.integer(n, "hidden_size", where);
                    return new ModelConfig(name, Arch.BERT, Json.integer(n, "num_hidden_layers", where), h,
                            Json.integer(n, "num_attention_heads", where), Json.integer(n, "intermediate_size", 4 * h, where),
                            Json.integer(n, "vocab_size", where), Json.integer(n, "max_position_embeddings", 512, where),
                            Json.integer(n, "type_vocab_size", 2, where),
                            (float) Json.number(n, "layer_norm_eps", 1e-12, where),
                            n.path("output").asText("pooled").equalsIgnoreCase("tokens") ? Output.TOKENS : Output.POOLED);
                }
                case "gpt2" -> {
                    int h = Json.integer(n, "n_embd", where);
                    JsonNode inner = n.get("n_inner");
                    int ff = inner == null || inner.isNull() ? 4 * h : inner.asInt();
                    return new ModelConfig(name, Arch.GPT2, Json.integer(n, "n_layer", where), h,
                            Json.integer(n, "n_head", where), ff, Json.integer(n, "vocab_size", where),
                            Json.integer(n, "n_positions", 1024, where), 0,
                            (float) Json.number(n, "layer_norm_epsilon", 1e-5, where),
                            n.path("output").asText("logits").equalsIgnoreCase("tokens") ? Output.TOKENS : Output.LOGITS);
                }
                default -> throw new InvalidInputException(where + ": model_type must be \"bert\" or \"gpt2\", got \""
                        + type + "\"");
            }
        } catch (InvalidInputException e) {
            throw e.getMessage().startsWith(where) ? e : new InvalidInputException(where + ": " + e.getMessage());
        }
    }

    /** The config for a safetensors file: {@code <stem>.json} or {@code config.json} beside it. */
    public static ModelConfig besides(Path safetensors) {
        String file = safetensors.getFileName().toString();
        String stem = file.endsWith(".safetensors") ? file.substring(0, file.length() - ".safetensors".length()) : file;
        Path dir = safetensors.toAbsolutePath().getParent();
        for (Path p : new Path[] {dir.resolve(stem + ".json"), dir.resolve("config.json")}) {
            if (Files.exists(p)) {
                return fromJson(Json.read(p), stem, p.toString());
            }
        }
        throw new InvalidInputException(safetensors + ": no model config beside it (expected " + stem
                + ".json or config.json in " + dir + ")");
    }

    /** Hugging Face style config.json for this model. */
    public ObjectNode toHfJson() {
        ObjectNode o = Json.object();
        if (arch == Arch.BERT) {
            o.put("model_type", "bert");
            o.put("hidden_size", hidden);
            o.put("num_hidden_layers", layers);
            o.put("num_attention_heads", heads);
            o.put("intermediate_size", intermediate);
            o.put("vocab_size", vocab);
            o.put("max_position_embeddings", maxPositions);
            o.put("type_vocab_size", typeVocab);
            o.put("layer_norm_eps", layerNormEps);
        } else {
            o.put("model_type", "gpt2");
            o.put("n_embd", hidden);
            o.put("n_layer", layers);
            o.put("n_head", heads);
            o.put("n_inner", intermediate);
            o.put("vocab_size", vocab);
            o.put("n_positions", maxPositions);
            o.put("layer_norm_epsilon", layerNormEps);
        }
        o.put("output", output.name().toLowerCase());
        return o;
    }
}
