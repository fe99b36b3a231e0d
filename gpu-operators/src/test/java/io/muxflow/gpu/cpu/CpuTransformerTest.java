package io.muxflow.gpu.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.muxflow.gpu.Reference;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StagePartitioner;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.weights.SyntheticWeights;
import io.muxflow.gpu.weights.WeightSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuTransformerTest {

    static StageBatch run(CpuBackend b, ModelConfig c, WeightSource w, int pp, StageBatch in) {
        List<StageExecutor> stages = new ArrayList<>();
        for (StageSpec s : StagePartitioner.partition(c, pp)) {
            stages.add(b.load(c, s, w));
        }
        try {
            for (StageExecutor e : stages) {
                in = e.run(in);
            }
            return in;
        } finally {
            stages.forEach(StageExecutor::close);
        }
    }

    static StageBatch tokens(int[]... seqs) {
        List<StageItem> items = new ArrayList<>();
        for (int[] s : seqs) {
            items.add(StageItem.ofTokens(s));
        }
        return StageBatch.tokens(items);
    }

    @Test
    void bertTokensMatchTheNumpyReference() {
        ModelConfig c = Reference.config("bert").withOutput(ModelConfig.Output.TOKENS);
        for (JsonNode e : Reference.expected("bert")) {
            int[] toks = Reference.ints(e.get("tokens"));
            StageBatch out = run(new CpuBackend(), c, Reference.weights("bert"), 2, tokens(toks));
            JsonNode rows = e.get("last_hidden");
            for (int r = 0; r < toks.length; r++) {
                float[] row = java.util.Arrays.copyOfRange(out.item(0).data(), r * c.hidden(), (r + 1) * c.hidden());
                assertThat(Reference.relError(row, Reference.doubles(rows.get(r)))).isLessThan(2e-5);
            }
        }
    }

    @Test
    void aSplitModelEqualsTheUnsplitModelBitForBit() {
        for (ModelConfig c : List.of(ModelConfig.named("bert-tiny"), ModelConfig.named("gpt2-tiny"),
                Reference.config("bert"))) {
            WeightSource w = c.name().equals("bert") ? Reference.weights("bert") : new SyntheticWeights(3);
            StageBatch in = tokens(new int[] {11, 23, 63, 2}, new int[] {7, 8});
            float[] whole0 = run(new CpuBackend(), c, w, 1, in).item(0).data();
            float[] whole1 = run(new CpuBackend(), c, w, 1, in).item(1).data();
            for (int pp = 2; pp <= c.layers(); pp++) {
                StageBatch split = run(new CpuBackend(), c, w, pp, in);
                assertThat(split.item(0).data()).as("%s pp=%d", c.name(), pp).containsExactly(whole0);
                assertThat(split.item(1).data()).as("%s pp=%d", c.name(), pp).containsExactly(whole1);
            }
        }
    }

    @Test
    void resultsDoNotDependOnThreadsOrOnTheRestOfTheBatch() {
        ModelConfig c = ModelConfig.named("bert-mini");
        WeightSource w = new SyntheticWeights(11);
        int[] a = new int[37];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1000 + 31 * i;
        }
        float[] alone = run(new CpuBackend(1), c, w, 1, tokens(a)).item(0).data();
        StageBatch mixed = run(new CpuBackend(2), c, w, 2, tokens(new int[] {5, 6, 7}, a, new int[] {9}));
        assertThat(mixed.item(1).data()).containsExactly(alone);
    }

    @Test
    void aGenerationStepWithTheKvCacheEqualsTheFullForward() {
        ModelConfig c = Reference.config("gpt2");
        CpuBackend b = new CpuBackend();
        List<StageExecutor> stages = new ArrayList<>();
        for (StageSpec s : StagePartitioner.partition(c, 2)) {
            stages.add(b.load(c, s, Reference.weights("gpt2")));
        }
        int[] prompt = {3, 17, 100, 42, 8};
        // prefill 3 tokens in session 42, then one token at a time
        StageBatch x = StageBatch.tokens(List.of(StageItem.sessionTokens(42, 0, 3, 17, 100)));
        for (StageExecutor e : stages) {
            x = e.run(x);
        }
        for (int t = 3; t < prompt.length; t++) {
            x = StageBatch.tokens(List.of(StageItem.sessionTokens(42, t, prompt[t])));
            for (StageExecutor e : stages) {
                x = e.run(x);
            }
        }
        float[] stepped = x.item(0).data();
        float[] full = run(new CpuBackend(), c, Reference.weights("gpt2"), 2, tokens(prompt)).item(0).data();
        assertThat(stepped).containsExactly(full);
        double[] ref = Reference.doubles(Reference.expected("gpt2").get(0).get("logits"));
        assertThat(Reference.relError(stepped, ref)).isLessThan(2e-5);
        long held = stages.get(0).deviceMemoryBytes();
        stages.forEach(e -> e.release(42));
        assertThat(stages.get(0).deviceMemoryBytes()).isLessThan(held);
        // a step out of order is refused
        StageExecutor first = stages.get(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> first.run(
                StageBatch.tokens(List.of(StageItem.sessionTokens(42, 4, 1))))).hasMessageContaining("holds 0 tokens");
        stages.forEach(StageExecutor::close);
        assertThat(b.deviceMemoryInUse()).isZero();
    }

    @Test
    void gemmMatchesANaiveProductAndIsDeterministicAcrossThreads() {
        int m = 37;
        int k = 300;
        int n = 129;
        float[] a = new float[m * k];
        float[] bm = new float[k * n];
        float[] bias = new float[n];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        for (int i = 0; i < bm.length; i++) {
            bm[i] = r.nextFloat() - 0.5f;
        }
        for (int i = 0; i < n; i++) {
            bias[i] = r.nextFloat();
        }
        float[] c1 = new float[m * n];
        float[] c2 = new float[m * n];
        Gemm.multiply(a, bm, bias, c1, m, k, n, 1);
        Gemm.multiply(a, bm, bias, c2, m, k, n, 2);
        assertThat(c2).containsExactly(c1);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = bias[j];
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * bm[p * n + j];
                }
                assertThat((double) c1[i * n + j]).isCloseTo(s, org.assertj.core.api.Assertions.within(1e-4));
            }
        }
        // the scalar kernels round exactly like the vector ones
        float[] c3 = new float[m * n];
        for (int i = 0; i < m; i++) {
            System.arraycopy(bias, 0, c3, i * n, n);
        }
        new ScalarKernels().block(a, bm, c3, k, n, 0, m, 0, n, 0, k);
        assertThat(c3).containsExactly(c1);
        float[] t1 = new float[m * 5];
        Gemm.multiplyTransposed(a, java.util.Arrays.copyOf(bm, 5 * k), t1, m, k, 5, 2);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < 5; j++) {
                assertThat(t1[i * 5 + j]).isEqualTo(new ScalarKernels().dot8(a, i * k, bm, j * k, k));
            }
        }
    }

    /** n floats uniform in [offset, offset + 1). */
    private static float[] uniform(java.util.Random r, int n, float offset) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextFloat() + offset;
        }
        return x;
    }

    @Test
    void fewRowsAndTheTransposedProductRoundLikeTheScalarKernelsOnAnyThreadCount() {
        java.util.Random r = new java.util.Random(11);
        int k = 771; // not a multiple of 4 or 8: the GEMV's row tail and the dot products' tails run
        for (int n : new int[] {7, 200, 1030}) {
            for (int m = 1; m <= 3; m++) {
                float[] a = uniform(r, m * k, -0.5f);
                float[] bm = uniform(r, k * n, -0.5f);
                float[] bias = uniform(r, n, 0f);
                float[] expected = new float[m * n];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(bias, 0, expected, i * n, n);
                }
                new ScalarKernels().block(a, bm, expected, k, n, 0, m, 0, n, 0, k);
                float[] expectedT = new float[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        expectedT[i * n + j] = new ScalarKernels().dot8(a, i * k, bm, j * k, k);
                    }
                }
                for (int threads = 1; threads <= 3; threads++) {
                    float[] c = new float[m * n];
                    Gemm.multiply(a, bm, bias, c, m, k, n, threads);
                    assertThat(c).as("m %d n %d threads %d", m, n, threads).containsExactly(expected);
                    float[] t = new float[m * n];
                    Gemm.multiplyTransposed(a, bm, t, m, k, n, threads);
                    assertThat(t).as("transposed, m %d n %d threads %d", m, n, threads).containsExactly(expectedT);
                }
                double s = bias[n - 1];
                for (int p = 0; p < k; p++) {
                    s += (double) a[(m - 1) * k + p] * bm[p * n + n - 1];
                }
                assertThat((double) expected[m * n - 1]).isCloseTo(s, org.assertj.core.api.Assertions.within(1e-3));
            }
        }
    }

    @Test
    void erfIsAccurate() {
        double[][] known = {{0, 0}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149}, {2, 0.9953222650189527},
                {3, 0.9999779095030014}, {-1.5, -0.9661051464753108}};
        for (double[] kv : known) {
            assertThat(Ops.erf(kv[0])).isCloseTo(kv[1], org.assertj.core.api.Assertions.within(2e-7));
        }
    }
}
