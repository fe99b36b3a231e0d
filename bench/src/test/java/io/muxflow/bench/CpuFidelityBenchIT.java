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

    @Test
    void batchingModeServesEachLevelUnbatchedAndBatchedOnTheSameArrivals(@TempDir Path dir) throws Exception {
        StringWriter log = new StringWriter();
        JsonNode root = new CpuFidelityBench(new PrintWriter(log, true)).seconds(5, 3).devices(1)
                .runBatching(dir, new double[] {1.2}, 4);
        assertThat(log.toString()).contains("--batch 1,2,4");
        assertThat(root.get("max_batch").asInt()).isEqualTo(4);
        JsonNode both = root.get("levels").get("1.20");
        assertThat(both.get("profiles_s").get("bert-medium@batch4").asDouble()).isPositive();
        JsonNode plain = both.get("unbatched");
        JsonNode batched = both.get("batched");
        assertThat(plain.get("max_batch").asInt()).isEqualTo(1);
        assertThat(batched.get("max_batch").asInt()).isEqualTo(4);
        assertThat(batched.get("requests").asInt()).as("the same arrivals").isEqualTo(plain.get("requests").asInt());
        for (JsonNode l : new JsonNode[] {plain, batched}) {
            assertThat(l.get("answered").asInt()).isEqualTo(l.get("requests").asInt());
            assertThat(l.get("live_attainment").asDouble()).isBetween(0.0, 1.0);
        }
        // over capacity, requests queue and some batches form
        int runs = 0;
        int requests = 0;
        for (var e : (Iterable<java.util.Map.Entry<String, JsonNode>>) batched.get("first_stage_runs_by_size")::fields) {
            runs += e.getValue().asInt();
            requests += Integer.parseInt(e.getKey()) * e.getValue().asInt();
        }
        assertThat(requests).as("requests per first-stage run").isGreaterThan(runs);
        assertThat(both.get("live_gain_pp").asDouble()).isEqualTo(100 * (batched.get("live_attainment").asDouble()
                - plain.get("live_attainment").asDouble()));
    }
}
