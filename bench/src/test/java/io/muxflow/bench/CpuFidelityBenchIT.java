package io.muxflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.muxflow.planner.io.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench fidelity-cpu} end to end, shortened: profiles measured on the cpu backend, a plan,
 * live serving on the cpu backend through a real broker and MiniCluster, the simulator on the same
 * arrivals, and the calibrated pass; every request answered. The figures themselves are the
 * benchmark's (docs/BENCHMARKS.md), not asserted here.
 */
class CpuFidelityBenchIT {
    @Test
    void servesEveryLevelLiveOnCpuAndAgainCalibrated(@TempDir Path dir) throws Exception {
        StringWriter log = new StringWriter();
        JsonNode root = new CpuFidelityBench(new PrintWriter(log, true)).seconds(5, 3).devices(1)
                .run(dir, new double[] {0.3});
        assertThat(log.toString()).contains("muxflow profile --model bert-medium").contains("--cache cold");
        assertThat(root.get("cpu_pinning").asText()).as("says where the stage threads ran").isNotBlank();
        for (String part : new String[] {"levels", "calibrated_levels"}) {
            JsonNode l = root.get(part).get("0.30");
            // each level planned with profiles taken just before it
            assertThat(l.get("profiles_s").get("bert-medium").asDouble()).as(part).isPositive();
            assertThat(l.get("requests").asInt()).as(part).isPositive();
            assertThat(l.get("answered").asInt()).as(part).isEqualTo(l.get("requests").asInt());
            assertThat(l.get("simulated_attainment").asDouble()).isBetween(0.0, 1.0);
            assertThat(l.get("live_attainment").asDouble()).isBetween(0.0, 1.0);
            assertThat(l.get("executor_ratio").asDouble()).as("live executors ran on cpu").isPositive();
            assertThat(l.get("simulated_attainment_measured_latency").asDouble()).isBetween(0.0, 1.0);
            assertThat(l.get("simulated_attainment_measured_distribution").asDouble()).isBetween(0.0, 1.0);
            if (l.get("warmup_executor_samples").asInt() > 0) { // a 3-s warm-up may see no answer in time
                assertThat(l.get("simulated_attainment_warmup_distribution").asDouble()).isBetween(0.0, 1.0);
            }
        }
        assertThat(root.get("calibrated_levels").get("0.30").get("stage_overhead").asDouble())
                .isEqualTo(root.get("calibrated_stage_overhead").asDouble());
        assertThat(Json.compact(root)).contains("\"backend\":\"cpu\"");
    }
}
