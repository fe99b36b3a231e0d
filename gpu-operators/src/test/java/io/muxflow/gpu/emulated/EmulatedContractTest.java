package io.muxflow.gpu.emulated;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.gpu.Reference;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorContract;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StagePartitioner;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmulatedContractTest extends StageExecutorContract {
    /** Profiles for the reference models: pp 1 and 2, batch 1 and 2; small latencies keep the test quick. */
    static ModelProfile profile(String name) {
        return new ModelProfile(name, List.of(
                new ConfigProfile(ParallelConfig.of(1, 1), Map.of(1, new double[] {0.004}, 2, new double[] {0.006}),
                        new long[] {1000}, Map.of()),
                new ConfigProfile(ParallelConfig.of(1, 2), Map.of(1, new double[] {0.002, 0.003}, 2,
                        new double[] {0.003, 0.004}), new long[] {600, 500}, Map.of())));
    }

    @Override
    protected StageExecutorFactory factory() {
        return new EmulatedBackend(EmulatedContractTest::profile, 1.0);
    }

    /** The documented function: mean over rows of ((31 t + 17 p + j) mod 1000)/1000 + sum of 1/(stage+1). */
    @Override
    protected double[] expected(String model, int[] tokens) {
        ModelConfig c = config(model);
        int h = c.hidden();
        double[] mean = new double[h];
        for (int r = 0; r < tokens.length; r++) {
            for (int j = 0; j < h; j++) {
                mean[j] += (Math.floorMod(31 * tokens[r] + 17 * r + j, 1000) / 1000.0) / tokens.length;
            }
        }
        return mean;
    }

    @Override
    protected double tolerance() {
        return 1e-5;
    }

    @Override
    protected StageBatch runPipeline(StageExecutorFactory f, String model, int pp, StageBatch in) {
        StageBatch out = super.runPipeline(f, model, pp, in);
        // undo the per-stage offsets so the expected function does not depend on pp
        double offset = 0;
        for (int s = 0; s < pp; s++) {
            offset += 1.0 / (s + 1);
        }
        int h = config(model).hidden();
        List<StageItem> items = new java.util.ArrayList<>();
        for (StageItem it : out.items()) {
            float[] d = new float[h];
            for (int j = 0; j < h; j++) {
                d[j] = (float) (it.data()[j] - offset);
            }
            items.add(StageItem.ofData(it.session(), it.position(), 1, d));
        }
        return new StageBatch(items, config(model).outputWidth());
    }

    @Test
    void holdsTheDeviceForTheProfiledLatencyAndStagesTakeTurns() throws Exception {
        StageExecutorFactory f = factory();
        ModelConfig c = Reference.config("bert");
        List<StageSpec> two = StagePartitioner.partition(c, 2);
        try (StageExecutor s0 = f.load(c, two.get(0), null); StageExecutor s1 = f.load(c, two.get(0), null)) {
            StageBatch one = tokens(new int[] {1, 2});
            long t0 = System.nanoTime();
            s0.run(one);
            assertThat((System.nanoTime() - t0) / 1e9).isGreaterThanOrEqualTo(0.002);
            t0 = System.nanoTime();
            s0.run(tokens(new int[] {1}, new int[] {2}));
            assertThat((System.nanoTime() - t0) / 1e9).isGreaterThanOrEqualTo(0.003);
            // two stages on one device: the second waits for the first
            Thread other = new Thread(() -> s1.run(one));
            t0 = System.nanoTime();
            other.start();
            s0.run(one);
            other.join();
            assertThat((System.nanoTime() - t0) / 1e9).isGreaterThanOrEqualTo(0.004);
        }
        assertThat(f.deviceMemoryInUse()).isZero();
    }
}
