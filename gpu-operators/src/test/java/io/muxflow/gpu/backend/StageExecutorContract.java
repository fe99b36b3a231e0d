package io.muxflow.gpu.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.gpu.Reference;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StagePartitioner;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.weights.WeightSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StageExecutor} backend must do: run a model split into stages and give its
 * expected output within the backend's tolerance, give the same output for the same input, refuse
 * bad input with a clear message, free its device memory on close, and load again after closing.
 */
public abstract class StageExecutorContract {
    protected abstract StageExecutorFactory factory();

    /** Expected model output for one token sequence (pooled vector or logits): the numpy reference's. */
    protected double[] expected(String model, int[] tokens) {
        return Reference.output(model, tokens);
    }

    protected abstract double tolerance();

    protected ModelConfig config(String model) {
        return Reference.config(model);
    }

    protected WeightSource weights(String model) {
        return Reference.weights(model);
    }

    protected static StageBatch tokens(int[]... seqs) {
        List<StageItem> items = new ArrayList<>();
        for (int[] s : seqs) {
            items.add(StageItem.ofTokens(s));
        }
        return StageBatch.tokens(items);
    }

    protected StageBatch runPipeline(StageExecutorFactory f, String model, int pp, StageBatch in) {
        return runStages(f, config(model), weights(model), pp, 1, in);
    }

    /** Loads {@code c} cut into {@code pp} stages of op degree {@code op}, runs {@code in} through them, closes them. */
    public static StageBatch runStages(StageExecutorFactory f, ModelConfig c, WeightSource w, int pp, int op,
            StageBatch in) {
        List<StageExecutor> stages = new ArrayList<>();
        try {
            for (StageSpec s : StagePartitioner.partition(c, pp)) {
                stages.add(f.load(c, s, w, op));
            }
            StageBatch x = in;
            for (StageExecutor e : stages) {
                x = e.run(x);
            }
            return x;
        } finally {
            stages.forEach(StageExecutor::close);
        }
    }

    @Test
    void aSplitModelGivesTheExpectedOutput() {
        StageExecutorFactory f = factory();
        for (String model : List.of("bert", "gpt2")) {
            int[] a = model.equals("bert") ? new int[] {1, 5, 7, 96, 0, 33, 12} : new int[] {3, 17, 100, 42, 8};
            int[] b = model.equals("bert") ? new int[] {90} : new int[] {7};
            for (int pp = 1; pp <= 2; pp++) {
                StageBatch out = runPipeline(f, model, pp, tokens(a, b));
                assertThat(out.width()).isEqualTo(config(model).outputWidth());
                assertThat(Reference.relError(out.item(0).data(), expected(model, a)))
                        .as("%s pp=%d item 0", model, pp).isLessThan(tolerance());
                assertThat(Reference.relError(out.item(1).data(), expected(model, b)))
                        .as("%s pp=%d item 1", model, pp).isLessThan(tolerance());
            }
        }
    }

    @Test
    void theSameInputGivesTheSameOutput() {
        StageExecutorFactory f = factory();
        ModelConfig c = config("bert");
        try (StageExecutor e = f.load(c, StageSpec.whole(c), weights("bert"))) {
            StageBatch in = tokens(new int[] {4, 4, 4}, new int[] {90});
            float[] first = e.run(in).item(1).data();
            float[] again = e.run(in).item(1).data();
            assertThat(Reference.relError(again, toDouble(first))).isLessThanOrEqualTo(tolerance() / 10);
        }
    }

    @Test
    void closingFreesTheDeviceAndASecondLoadWorks() {
        StageExecutorFactory f = factory();
        ModelConfig c = config("gpt2");
        long before = f.deviceMemoryInUse();
        StageExecutor e = f.load(c, StageSpec.whole(c), weights("gpt2"));
        assertThat(e.deviceMemoryBytes()).isPositive();
        assertThat(f.deviceMemoryInUse()).isGreaterThan(before);
        e.run(StageBatch.tokens(List.of(StageItem.sessionTokens(7, 0, 3, 17))));
        e.close();
        assertThat(f.deviceMemoryInUse()).isEqualTo(before);
        assertThat(e.deviceMemoryBytes()).isZero();
        try (StageExecutor again = f.load(c, StageSpec.whole(c), weights("gpt2"))) {
            assertThat(again.run(tokens(new int[] {7})).item(0).data()).hasSize(c.vocab());
        }
        assertThat(f.deviceMemoryInUse()).isEqualTo(before);
    }

    @Test
    void badInputRaisesAClearError() {
        StageExecutorFactory f = factory();
        ModelConfig c = config("bert");
        List<StageSpec> two = StagePartitioner.partition(c, 2);
        try (StageExecutor first = f.load(c, two.get(0), weights("bert"));
                StageExecutor second = f.load(c, two.get(1), weights("bert"))) {
            assertThatThrownBy(() -> first.run(tokens(new int[] {1, c.vocab()})))
                    .isInstanceOf(ExecutorException.class).hasMessageContaining("token id " + c.vocab());
            assertThatThrownBy(() -> second.run(new StageBatch(List.of(StageItem.ofData(0, 0, 2, new float[c.hidden()])),
                    c.hidden()))).isInstanceOf(ExecutorException.class).hasMessageContaining("expected 2 x " + c.hidden());
            assertThatThrownBy(() -> second.run(new StageBatch(List.of(StageItem.ofData(0, 0, 1, new float[7])), 7)))
                    .isInstanceOf(ExecutorException.class).hasMessageContaining("width");
            assertThatThrownBy(() -> second.run(tokens(new int[] {1}))).isInstanceOf(ExecutorException.class);
            int[] tooLong = new int[c.maxPositions() + 1];
            assertThatThrownBy(() -> first.run(tokens(tooLong))).isInstanceOf(ExecutorException.class)
                    .hasMessageContaining("exceed");
            // the stage still works after refusing bad input
            assertThat(second.run(first.run(tokens(new int[] {1, 2}))).item(0).data()).hasSize(c.outputWidth());
        }
    }

    protected static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
