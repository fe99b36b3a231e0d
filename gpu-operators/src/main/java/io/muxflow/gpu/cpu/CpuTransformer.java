package io.muxflow.gpu.cpu;

import io.muxflow.gpu.model.KvCache;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The forward pass of one stage in Java. Rows of all items are stacked for the dense layers (one
 * GEMM per weight matrix per batch); attention runs per item and head. BERT blocks are post-LN with
 * erf GELU; GPT-2 blocks pre-LN, causal, tanh GELU, attending the session's cached keys and values.
 */
final class CpuTransformer {
    private CpuTransformer() {
    }

    /**
     * @param caches per item, the session cache to read and extend (null: none)
     */
    static StageBatch forward(StageWeights w, StageBatch in, IntFunction<KvCache> caches, int threads) {
        ModelConfig c = w.config();
        int h = c.hidden();
        int rows = in.totalRows();
        int[] offsets = new int[in.size() + 1];
        for (int i = 0; i < in.size(); i++) {
            offsets[i + 1] = offsets[i] + in.item(i).length();
        }
        float[] x;
        if (w.stage().first() && in.item(0).tokens() != null) {
            x = embed(w, in, rows);
        } else {
            x = new float[rows * h];
            for (int i = 0; i < in.size(); i++) {
                System.arraycopy(in.item(i).data(), 0, x, offsets[i] * h, in.item(i).length() * h);
            }
        }
        KvCache[] kv = new KvCache[in.size()];
        for (int i = 0; i < in.size(); i++) {
            kv[i] = caches.apply(i);
        }
        int li = 0;
        for (StageWeights.Layer layer : w.layers()) {
            x = c.arch() == ModelConfig.Arch.BERT ? bertBlock(c, layer, x, rows, in, offsets, threads)
                    : gptBlock(c, layer, li, x, rows, in, offsets, kv, threads);
            li++;
        }
        if (c.arch() == ModelConfig.Arch.GPT2) {
            for (int i = 0; i < in.size(); i++) {
                if (kv[i] != null) {
                    kv[i].advance(in.item(i).length());
                }
            }
        }
        if (!w.stage().last()) {
            return split(x, in, offsets, h);
        }
        return head(w, x, in, offsets, threads);
    }

    private static float[] embed(StageWeights w, StageBatch in, int rows) {
        ModelConfig c = w.config();
        int h = c.hidden();
        StageWeights.Embeddings e = w.embeddings();
        float[] x = new float[rows * h];
        int r = 0;
        for (StageItem it : in.items()) {
            if (it.tokens() == null) {
                throw new IllegalArgumentException("a batch into the first stage must be all tokens or all rows");
            }
            for (int t = 0; t < it.length(); t++, r++) {
                int tok = it.tokens()[t];
                int pos = it.position() + t;
                for (int j = 0; j < h; j++) {
                    float v = e.tokens()[tok * h + j] + e.positions()[pos * h + j];
                    if (e.type0() != null) {
                        v += e.type0()[j];
                    }
                    x[r * h + j] = v;
                }
            }
        }
        if (e.lnG() != null) {
            Ops.layerNorm(x, rows, h, e.lnG(), e.lnB(), c.layerNormEps());
        }
        return x;
    }

    private static float[] bertBlock(ModelConfig c, StageWeights.Layer l, float[] x, int rows, StageBatch in,
            int[] offsets, int threads) {
        int h = c.hidden();
        float[] qkv = new float[rows * 3 * h];
        Gemm.multiply(x, l.wQkv(), l.bQkv(), qkv, rows, h, 3 * h, threads);
        float[] ctx = new float[rows * h];
        for (int i = 0; i < in.size(); i++) {
            int len = in.item(i).length();
            attention(c, qkv, offsets[i], len, qkv, offsets[i] * 3 * h + h, qkv, offsets[i] * 3 * h + 2 * h, 3 * h, len, 0,
                    false, ctx, offsets[i]);
        }
        float[] o = new float[rows * h];
        Gemm.multiply(ctx, l.wO(), l.bO(), o, rows, h, h, threads);
        Ops.add(o, x);
        Ops.layerNorm(o, rows, h, l.ln1G(), l.ln1B(), c.layerNormEps());
        float[] f = new float[rows * c.intermediate()];
        Gemm.multiply(o, l.w1(), l.b1(), f, rows, h, c.intermediate(), threads);
        Ops.geluErf(f);
        float[] y = new float[rows * h];
        Gemm.multiply(f, l.w2(), l.b2(), y, rows, c.intermediate(), h, threads);
        Ops.add(y, o);
        Ops.layerNorm(y, rows, h, l.ln2G(), l.ln2B(), c.layerNormEps());
        return y;
    }

    private static float[] gptBlock(ModelConfig c, StageWeights.Layer l, int li, float[] x, int rows, StageBatch in,
            int[] offsets, KvCache[] kv, int threads) {
        int h = c.hidden();
        float[] a = Ops.layerNormCopy(x, rows, h, l.ln1G(), l.ln1B(), c.layerNormEps());
        float[] qkv = new float[rows * 3 * h];
        Gemm.multiply(a, l.wQkv(), l.bQkv(), qkv, rows, h, 3 * h, threads);
        float[] ctx = new float[rows * h];
        for (int i = 0; i < in.size(); i++) {
            StageItem it = in.item(i);
            int len = it.length();
            KvCache cache = kv[i];
            if (cache != null) {
                cache.append(li, qkv, offsets[i] * 3 * h + h, qkv, offsets[i] * 3 * h + 2 * h, len, 3 * h);
                int keys = cache.tokens() + len;
                attention(c, qkv, offsets[i], len, cache.keys(li), 0, cache.values(li), 0, h, keys, it.position(), true, ctx,
                        offsets[i]);
            } else {
                attention(c, qkv, offsets[i], len, qkv, offsets[i] * 3 * h + h, qkv, offsets[i] * 3 * h + 2 * h, 3 * h, len,
                        0, true, ctx, offsets[i]);
            }
        }
        float[] o = new float[rows * h];
        Gemm.multiply(ctx, l.wO(), l.bO(), o, rows, h, h, threads);
        Ops.add(o, x);
        float[] m = Ops.layerNormCopy(o, rows, h, l.ln2G(), l.ln2B(), c.layerNormEps());
        float[] f = new float[rows * c.intermediate()];
        Gemm.multiply(m, l.w1(), l.b1(), f, rows, h, c.intermediate(), threads);
        Ops.geluTanh(f);
        float[] y = new float[rows * h];
        Gemm.multiply(f, l.w2(), l.b2(), y, rows, c.intermediate(), h, threads);
        Ops.add(y, o);
        return y;
    }

    /**
     * Multi-head attention of {@code len} query rows (row r at absolute position {@code pos0 + r};
     * queries are the first h columns of qkv rows starting at {@code qRow}) over {@code keys} key rows
     * (key row t at absolute position t; keys/values read with the given offsets and row stride).
     * Causal: a query attends keys at positions up to its own.
     */
    static void attention(ModelConfig c, float[] qkv, int qRow, int len, float[] k, int kOff, float[] v, int vOff,
            int stride, int keys, int pos0, boolean causal, float[] ctx, int ctxRow) {
        int h = c.hidden();
        int d = c.headDim();
        double scale = 1.0 / Math.sqrt(d);
        float[] scores = new float[keys];
        for (int r = 0; r < len; r++) {
            int qo = (qRow + r) * 3 * h;
            int visible = causal ? Math.min(keys, pos0 + r + 1) : keys;
            for (int head = 0; head < c.heads(); head++) {
                int ho = head * d;
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < visible; t++) {
                    int ko = kOff + t * stride + ho;
                    float s = 0;
                    for (int j = 0; j < d; j++) {
                        s += qkv[qo + ho + j] * k[ko + j];
                    }
                    s = (float) (s * scale);
                    scores[t] = s;
                    if (s > max) {
                        max = s;
                    }
                }
                double sum = 0;
                for (int t = 0; t < visible; t++) {
                    float e = (float) Math.exp(scores[t] - max);
                    scores[t] = e;
                    sum += e;
                }
                float inv = (float) (1.0 / sum);
                int co = (ctxRow + r) * h + ho;
                for (int t = 0; t < visible; t++) {
                    float p = scores[t] * inv;
                    int vo = vOff + t * stride + ho;
                    for (int j = 0; j < d; j++) {
                        ctx[co + j] += p * v[vo + j];
                    }
                }
            }
        }
    }

    private static StageBatch split(float[] x, StageBatch in, int[] offsets, int width) {
        List<StageItem> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            StageItem it = in.item(i);
            float[] d = new float[it.length() * width];
            System.arraycopy(x, offsets[i] * width, d, 0, d.length);
            out.add(StageItem.ofData(it.session(), it.position(), it.length(), d));
        }
        return new StageBatch(out, width);
    }

    private static StageBatch head(StageWeights w, float[] x, StageBatch in, int[] offsets, int threads) {
        ModelConfig c = w.config();
        int h = c.hidden();
        int n = in.size();
        StageWeights.Head head = w.head();
        if (c.arch() == ModelConfig.Arch.GPT2) {
            Ops.layerNorm(x, in.totalRows(), h, head.lnG(), head.lnB(), c.layerNormEps());
        }
        switch (c.output()) {
            case TOKENS:
                return split(x, in, offsets, h);
            case POOLED: {
                float[] cls = new float[n * h];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(x, offsets[i] * h, cls, i * h, h);
                }
                float[] p = new float[n * h];
                Gemm.multiply(cls, head.pool(), head.poolB(), p, n, h, h, threads);
                Ops.tanh(p);
                return rowsPerItem(p, in, h);
            }
            default: {
                float[] last = new float[n * h];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(x, (offsets[i + 1] - 1) * h, last, i * h, h);
                }
                float[] logits = new float[n * c.vocab()];
                Gemm.multiplyTransposed(last, head.lmHead(), logits, n, h, c.vocab(), threads);
                return rowsPerItem(logits, in, c.vocab());
            }
        }
    }

    private static StageBatch rowsPerItem(float[] y, StageBatch in, int width) {
        List<StageItem> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            StageItem it = in.item(i);
            float[] d = new float[width];
            System.arraycopy(y, i * width, d, 0, width);
            out.add(StageItem.ofData(it.session(), it.position() + it.length() - 1, 1, d));
        }
        return new StageBatch(out, width);
    }
}
