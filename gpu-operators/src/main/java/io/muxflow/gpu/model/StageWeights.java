package io.muxflow.gpu.model;

import io.muxflow.gpu.weights.WeightSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights one stage needs, in the executors' layout: every linear layer as an [in x out]
 * row-major matrix (BERT's PyTorch [out x in] weights are transposed on load; GPT-2's Conv1D weights
 * already are [in x out]), query/key/value fused into one [hidden x 3 hidden] matrix. The first
 * stage holds the embeddings, the last the head (BERT's pooler; GPT-2's final layer norm and the LM
 * head tied to the token embeddings).
 */
public record StageWeights(ModelConfig config, StageSpec stage, Embeddings embeddings, List<Layer> layers, Head head) {

    /** Token and position embeddings (BERT: token type 0 and a layer norm too). */
    public record Embeddings(float[] tokens, float[] positions, float[] type0, float[] lnG, float[] lnB) {
    }

    /**
     * One block. BERT (post-LN): ln1 follows attention, ln2 follows the MLP. GPT-2 (pre-LN): ln1
     * precedes attention, ln2 the MLP.
     */
    public record Layer(float[] wQkv, float[] bQkv, float[] wO, float[] bO, float[] ln1G, float[] ln1B, float[] w1,
            float[] b1, float[] w2, float[] b2, float[] ln2G, float[] ln2B) {
    }

    /** BERT: pooler [h x h] and bias. GPT-2: final layer norm and the token embeddings as LM head. */
    public record Head(float[] pool, float[] poolB, float[] lnG, float[] lnB, float[] lmHead) {
    }

    public static StageWeights load(ModelConfig c, StageSpec s, WeightSource src) {
        int h = c.hidden();
        int ff = c.intermediate();
        Embeddings emb = null;
        Head head = null;
        List<Layer> layers = new ArrayList<>();
        if (c.arch() == ModelConfig.Arch.BERT) {
            if (s.first()) {
                float[] type = src.get("embeddings.token_type_embeddings.weight", c.typeVocab(), h);
                emb = new Embeddings(src.get("embeddings.word_embeddings.weight", c.vocab(), h),
                        src.get("embeddings.position_embeddings.weight", c.maxPositions(), h),
                        java.util.Arrays.copyOf(type, h), src.get("embeddings.LayerNorm.weight", h),
                        src.get("embeddings.LayerNorm.bias", h));
            }
            for (int l = s.fromLayer(); l < s.toLayer(); l++) {
                String p = "encoder.layer." + l + ".";
                float[] q = transpose(src.get(p + "attention.self.query.weight", h, h), h, h);
                float[] k = transpose(src.get(p + "attention.self.key.weight", h, h), h, h);
                float[] v = transpose(src.get(p + "attention.self.value.weight", h, h), h, h);
                layers.add(new Layer(concatColumns(h, q, k, v),
                        concat(src.get(p + "attention.self.query.bias", h), src.get(p + "attention.self.key.bias", h),
                                src.get(p + "attention.self.value.bias", h)),
                        transpose(src.get(p + "attention.output.dense.weight", h, h), h, h),
                        src.get(p + "attention.output.dense.bias", h), src.get(p + "attention.output.LayerNorm.weight", h),
                        src.get(p + "attention.output.LayerNorm.bias", h),
                        transpose(src.get(p + "intermediate.dense.weight", ff, h), ff, h),
                        src.get(p + "intermediate.dense.bias", ff),
                        transpose(src.get(p + "output.dense.weight", h, ff), h, ff), src.get(p + "output.dense.bias", h),
                        src.get(p + "output.LayerNorm.weight", h), src.get(p + "output.LayerNorm.bias", h)));
            }
            if (s.last() && c.output() == ModelConfig.Output.POOLED) {
                head = new Head(transpose(src.get("pooler.dense.weight", h, h), h, h), src.get("pooler.dense.bias", h),
                        null, null, null);
            }
        } else {
            float[] wte = null;
            if (s.first() || (s.last() && c.output() == ModelConfig.Output.LOGITS)) {
                wte = src.get("wte.weight", c.vocab(), h);
            }
            if (s.first()) {
                emb = new Embeddings(wte, src.get("wpe.weight", c.maxPositions(), h), null, null, null);
            }
            for (int l = s.fromLayer(); l < s.toLayer(); l++) {
                String p = "h." + l + ".";
                layers.add(new Layer(src.get(p + "attn.c_attn.weight", h, 3 * h), src.get(p + "attn.c_attn.bias", 3 * h),
                        src.get(p + "attn.c_proj.weight", h, h), src.get(p + "attn.c_proj.bias", h),
                        src.get(p + "ln_1.weight", h), src.get(p + "ln_1.bias", h), src.get(p + "mlp.c_fc.weight", h, ff),
                        src.get(p + "mlp.c_fc.bias", ff), src.get(p + "mlp.c_proj.weight", ff, h),
                        src.get(p + "mlp.c_proj.bias", h), src.get(p + "ln_2.weight", h), src.get(p + "ln_2.bias", h)));
            }
            if (s.last()) {
                head = new Head(null, null, src.get("ln_f.weight", h), src.get("ln_f.bias", h),
                        c.output() == ModelConfig.Output.LOGITS ? wte : null);
            }
        }
        return new StageWeights(c, s, emb, layers, head);
    }

    /** All Hugging Face tensor names (and shapes) of a model, for writing checkpoints. */
    public static java.util.Map<String, int[]> tensorNames(ModelConfig c) {
        java.util.Map<String, int[]> m = new java.util.LinkedHashMap<>();
        int h = c.hidden();
        int ff = c.intermediate();
        if (c.arch() == ModelConfig.Arch.BERT) {
            m.put("embeddings.word_embeddings.weight", new int[] {c.vocab(), h});
            m.put("embeddings.position_embeddings.weight", new int[] {c.maxPositions(), h});
            m.put("embeddings.token_type_embeddings.weight", new int[] {c.typeVocab(), h});
            m.put("embeddings.LayerNorm.weight", new int[] {h});
            m.put("embeddings.LayerNorm.bias", new int[] {h});
            for (int l = 0; l < c.layers(); l++) {
                String p = "encoder.layer." + l + ".";
                for (String x : new String[] {"query", "key", "value"}) {
                    m.put(p + "attention.self." + x + ".weight", new int[] {h, h});
                    m.put(p + "attention.self." + x + ".bias", new int[] {h});
                }
                m.put(p + "attention.output.dense.weight", new int[] {h, h});
                m.put(p + "attention.output.dense.bias", new int[] {h});
                m.put(p + "attention.output.LayerNorm.weight", new int[] {h});
                m.put(p + "attention.output.LayerNorm.bias", new int[] {h});
                m.put(p + "intermediate.dense.weight", new int[] {ff, h});
                m.put(p + "intermediate.dense.bias", new int[] {ff});
                m.put(p + "output.dense.weight", new int[] {h, ff});
                m.put(p + "output.dense.bias", new int[] {h});
                m.put(p + "output.LayerNorm.weight", new int[] {h});
                m.put(p + "output.LayerNorm.bias", new int[] {h});
            }
            m.put("pooler.dense.weight", new int[] {h, h});
            m.put("pooler.dense.bias", new int[] {h});
        } else {
            m.put("wte.weight", new int[] {c.vocab(), h});
            m.put("wpe.weight", new int[] {c.maxPositions(), h});
            for (int l = 0; l < c.layers(); l++) {
                String p = "h." + l + ".";
                m.put(p + "ln_1.weight", new int[] {h});
                m.put(p + "ln_1.bias", new int[] {h});
                m.put(p + "attn.c_attn.weight", new int[] {h, 3 * h});
                m.put(p + "attn.c_attn.bias", new int[] {3 * h});
                m.put(p + "attn.c_proj.weight", new int[] {h, h});
                m.put(p + "attn.c_proj.bias", new int[] {h});
                m.put(p + "ln_2.weight", new int[] {h});
                m.put(p + "ln_2.bias", new int[] {h});
                m.put(p + "mlp.c_fc.weight", new int[] {h, ff});
                m.put(p + "mlp.c_fc.bias", new int[] {ff});
                m.put(p + "mlp.c_proj.weight", new int[] {ff, h});
                m.put(p + "mlp.c_proj.bias", new int[] {h});
            }
            m.put("ln_f.weight", new int[] {h});
            m.put("ln_f.bias", new int[] {h});
        }
        return m;
    }

    /** Bytes of fp32 weights this stage holds (a tied LM head counts once). */
    public long bytes() {
        long n = 0;
        if (embeddings != null) {
            n += len(embeddings.tokens()) + len(embeddings.positions()) + len(embeddings.type0()) + len(embeddings.lnG())
                    + len(embeddings.lnB());
        }
        for (Layer l : layers) {
            n += len(l.wQkv()) + len(l.bQkv()) + len(l.wO()) + len(l.bO()) + len(l.ln1G()) + len(l.ln1B()) + len(l.w1())
                    + len(l.b1()) + len(l.w2()) + len(l.b2()) + len(l.ln2G()) + len(l.ln2B());
        }
        if (head != null) {
            n += len(head.pool()) + len(head.poolB()) + len(head.lnG()) + len(head.lnB());
            if (head.lmHead() != null && (embeddings == null || head.lmHead() != embeddings.tokens())) {
                n += len(head.lmHead());
            }
        }
        return 4 * n;
    }

    private static long len(float[] a) {
        return a == null ? 0 : a.length;
    }

    static float[] transpose(float[] w, int rows, int cols) {
        float[] t = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[r * cols + c];
            }
        }
        return t;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /** Side by side: rows x (sum of widths) from matrices of {@code rows} rows each. */
    static float[] concatColumns(int rows, float[]... mats) {
        int total = 0;
        int[] widths = new int[mats.length];
        for (int i = 0; i < mats.length; i++) {
            widths[i] = mats[i].length / rows;
            total += widths[i];
        }
        float[] out = new float[rows * total];
        for (int r = 0; r < rows; r++) {
            int o = r * total;
            for (int i = 0; i < mats.length; i++) {
                System.arraycopy(mats[i], r * widths[i], out, o, widths[i]);
                o += widths[i];
            }
        }
        return out;
    }
}
