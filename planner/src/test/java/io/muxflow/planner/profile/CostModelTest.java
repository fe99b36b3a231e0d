package io.muxflow.planner.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CostModelTest {
    private final CostModel model = new CostModel(DeviceSpec.v100());

    @Test
    void makesAConfigForEveryPpDividingTheLayersAndOpDividingTheHeads() {
        ModelProfile p = model.profile(TransformerShape.named("bert-1.3b")); // 24 layers, 32 heads
        for (int pp : new int[] {1, 2, 3, 4, 6, 8, 12}) {
            for (int op : new int[] {1, 2, 4, 8}) {
                assertThat(p.config(ParallelConfig.of(op, pp))).as("op=%d pp=%d", op, pp).isPresent();
            }
        }
        assertThat(p.config(ParallelConfig.of(1, 5))).isEmpty();
        assertThat(p.config(ParallelConfig.of(1, 16))).isEmpty();
    }

    @Test
    void weightsAddUpToTheParameterCount() {
        TransformerShape s = TransformerShape.named("bert-2.6b");
        ModelProfile p = model.profile(s);
        for (ConfigProfile c : p.configs()) {
            long sum = Arrays.stream(c.weightBytes()).sum() * c.config().op();
            assertThat((double) sum).isCloseTo(s.totalParams() * 2.0, within(s.totalParams() * 2.0 * 0.001));
        }
    }

    @Test
    void bert13bLandsNearTheLatencyAlpaServePublishedOnV100() {
        ModelProfile p = model.profile(TransformerShape.named("bert-1.3b"));
        double single = p.config(ParallelConfig.of(1, 1)).orElseThrow().totalLatency(1);
        assertThat(single).isBetween(0.099 * 0.7, 0.099 * 1.3);
    }

    @Test
    void pipelineStagesSplitTheWorkAndPayForTheHandOff() {
        ModelProfile p = model.profile(TransformerShape.named("bert-6.7b"));
        double one = p.config(ParallelConfig.of(1, 1)).orElseThrow().totalLatency(1);
        ConfigProfile four = p.config(ParallelConfig.of(1, 4)).orElseThrow();
        double[] l = four.latency(1);
        assertThat(four.totalLatency(1)).isGreaterThan(one);
        assertThat(Arrays.stream(l).max().orElseThrow()).isLessThan(one / 4 * 1.2);
        // more devices per stage: faster per request but not perfectly
        double op2 = p.config(ParallelConfig.of(2, 1)).orElseThrow().totalLatency(1);
        assertThat(op2).isLessThan(one).isGreaterThan(one / 2);
        // bigger batches cost more but less than linearly
        ConfigProfile c1 = p.config(ParallelConfig.of(1, 1)).orElseThrow();
        assertThat(c1.totalLatency(4)).isGreaterThan(c1.totalLatency(1)).isLessThan(4 * c1.totalLatency(1) * 1.01);
    }
}
