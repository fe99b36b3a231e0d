package io.muxflow.gpu.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.gpu.Reference;
import io.muxflow.gpu.backend.ExecutorException;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.emulated.EmulatedBackend;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StagePartitioner;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.profiler.StageProfiler;
import io.muxflow.gpu.weights.SyntheticWeights;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stages with op > 1 (issue 22, part 3): executed as planned, with op = 1's output. */
class TensorParallelTest {

    private static StageBatch run(StageExecutorFactory f, ModelConfig c, int pp, int op, StageBatch in) {
        return io.muxflow.gpu.backend.StageExecutorContract.runStages(f, c,
                Reference.weights(c.name().startsWith("gpt") ? "gpt2" : "bert"), pp, op, in);
    }

    @Test
    void aStageOverTwoDevicesGivesTheOneDeviceOutputOnCpu() {
        for (String model : List.of("bert", "gpt2")) {
            ModelConfig c = Reference.config(model);
            int[] t = model.equals("bert") ? new int[] {1, 5, 7, 96, 0, 33, 12} : new int[] {3, 17, 100, 42, 8};
            StageBatch in = StageBatch.tokens(List.of(StageItem.ofTokens(t)));
            for (int pp = 1; pp <= 2; pp++) {
                float[] one = run(new CpuBackend(1), c, pp, 1, in).item(0).data();
                float[] two = run(new CpuBackend(1), c, pp, 2, in).item(0).data();
                assertThat(Reference.relError(two, toDouble(one))).as("%s pp=%d", model, pp).isLessThan(1e-6);
                assertThat(Reference.relError(one, Reference.output(model, t))).isLessThan(2e-5);
            }
        }
    }

    @Test
    void theProfilerMeasuresOpConfigurationsOnCpu() {
        ModelConfig c = ModelConfig.named("bert-tiny");
        ModelProfile p = StageProfiler.profile("tiny", c, new SyntheticWeights(1), new CpuBackend(1),
                new StageProfiler.Options(List.of(1, 2), List.of(1), List.of(1), 16, 1, 3, 0, 0), (w, d, t) -> { });
        assertThat(p.config(ParallelConfig.of(1, 1))).isPresent();
        assertThat(p.config(ParallelConfig.of(2, 1)).orElseThrow().latency(1)[0]).isPositive();
    }

    @Test
    void emulatedHoldsTheOpConfigurationsLatencyAndRefusesOneItWasNotProfiledFor() {
        ModelConfig c = ModelConfig.named("bert-tiny");
        ModelProfile p = new ModelProfile("bert-tiny", List.of(
                new ConfigProfile(ParallelConfig.of(1, 1), Map.of(1, new double[] {0.040}), new long[] {1}, Map.of()),
                new ConfigProfile(ParallelConfig.of(2, 1), Map.of(1, new double[] {0.025}), new long[] {1}, Map.of())));
        EmulatedBackend f = new EmulatedBackend(name -> p, 1.0);
        StageSpec s = StagePartitioner.partition(c, 1).get(0);
        StageBatch in = StageBatch.tokens(List.of(StageItem.ofTokens(new int[] {1, 2, 3})));
        for (int op : new int[] {1, 2}) {
            StageExecutor e = f.load(c, s, null, op);
            e.run(in);
            long t0 = System.nanoTime();
            e.run(in);
            double held = (System.nanoTime() - t0) / 1e9;
            e.close();
            // the executor parks for the profiled latency: at least that long
            assertThat(held).as("op=%d", op).isGreaterThanOrEqualTo(op == 1 ? 0.040 : 0.025);
        }
        assertThatThrownBy(() -> f.load(c, s, null, 4)).isInstanceOf(ExecutorException.class)
                .hasMessageContaining("no configuration (dp=1,op=4,pp=1)");
    }

    @Test
    void aBackendWithoutIntraOperatorParallelismRefusesWithTheReason() {
        StageExecutorFactory one = new StageExecutorFactory() {
            @Override
            public String backend() {
                return "single";
            }

            @Override
            public StageExecutor load(ModelConfig model, StageSpec stage, io.muxflow.gpu.weights.WeightSource w) {
                throw new AssertionError("not reached");
            }

            @Override
            public long deviceMemoryInUse() {
                return 0;
            }
        };
        ModelConfig c = ModelConfig.named("bert-tiny");
        assertThat(one.maxOp()).isEqualTo(1);
        assertThatThrownBy(() -> one.load(c, StagePartitioner.partition(c, 1).get(0), null, 2))
                .isInstanceOf(ExecutorException.class).hasMessageContaining("op = 2");
        assertThat(io.muxflow.gpu.backend.Backends.maxOp("cuda")).isEqualTo(1);
        assertThat(io.muxflow.gpu.backend.Backends.maxOp("cpu")).isGreaterThan(1);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
