package io.muxflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.loadgen.DoubleSeries;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasuredLatencyTest {
    private static final ModelProfile P = new ModelProfile("shape", List.of(
            new ConfigProfile(ParallelConfig.of(1, 1), Map.of(1, new double[] {0.030}, 2, new double[] {0.050}),
                    new long[] {100}, Map.of()),
            new ConfigProfile(ParallelConfig.of(1, 2), Map.of(1, new double[] {0.016, 0.017}), new long[] {50, 50},
                    Map.of())));

    private static DoubleSeries ms(double... v) {
        DoubleSeries s = new DoubleSeries();
        for (double x : v) {
            s.add(x);
        }
        return s;
    }

    @Test
    void replacesTheLatencyOfTheConfigurationWhoseStagesWereMeasuredByTheirMean() {
        Map<String, DoubleSeries> exec = new HashMap<>();
        exec.put("m0/stage0", ms(30, 50)); // m0 ran on one stage: mean 40 ms
        exec.put("m1/stage0", ms(20));
        exec.put("m1/stage1", ms(22, 24)); // m1 ran on two stages
        ModelProfile m0 = CpuFidelityBench.withMeasuredLatency(P, "m0", exec);
        assertThat(m0.config(ParallelConfig.of(1, 1)).orElseThrow().latency(1)[0]).isCloseTo(0.040,
                org.assertj.core.api.Assertions.within(1e-12));
        assertThat(m0.config(ParallelConfig.of(1, 2)).orElseThrow().latency(1)).containsExactly(0.016, 0.017);
        ModelProfile m1 = CpuFidelityBench.withMeasuredLatency(P, "m1", exec);
        assertThat(m1.config(ParallelConfig.of(1, 1)).orElseThrow().latency(1)).containsExactly(0.030);
        assertThat(m1.config(ParallelConfig.of(1, 2)).orElseThrow().latency(1)[1]).isCloseTo(0.023,
                org.assertj.core.api.Assertions.within(1e-12));
        assertThat(m1.config(ParallelConfig.of(1, 2)).orElseThrow().weightBytes()).containsExactly(50, 50);
        ModelProfile none = CpuFidelityBench.withMeasuredLatency(P, "m9", exec);
        assertThat(none).isEqualTo(P);
    }
}
