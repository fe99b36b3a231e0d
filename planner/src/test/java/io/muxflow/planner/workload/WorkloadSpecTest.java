package io.muxflow.planner.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.muxflow.planner.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadSpecTest {
    @TempDir
    Path dir;

    @Test
    void generatesTheArchitectureExample() throws Exception {
        Path f = dir.resolve("w.json");
        Files.writeString(f, """
                {"duration_s": 200, "seed": 0, "models": [
                  {"name": "m0", "profile": "bert-1.3b", "rate": 5.0, "cv": 4.0, "slo_s": 0.5},
                  {"name": "m1", "profile": "bert-1.3b", "rate": 2.0, "cv": 1.0, "slo_s": 0.8}]}
                """);
        WorkloadSpec spec = WorkloadSpec.read(f);
        assertThat(spec.models()).extracting(ModelSpec::profile).containsOnly("bert-1.3b");
        Workload w = spec.generate();
        int[] counts = w.countsPerModel();
        assertThat(counts[1] / 200.0).isCloseTo(2.0, within(0.5));
        for (int i = 0; i < w.size(); i++) {
            assertThat(w.slo(i)).isEqualTo(w.modelId(i) == 0 ? 0.5 : 0.8);
        }
        assertThat(spec.generate().arrivals()).containsExactly(w.arrivals());
    }

    @Test
    void expandsCountsAndSplitsATotalRateByPowerLaw() {
        WorkloadSpec spec = WorkloadSpec.parse(io.muxflow.planner.io.Json.parse("""
                {"duration_s": 10, "total_rate": 40, "cv": 3, "models": [{"name": "m", "count": 24, "profile": "p"}]}
                """, "w"), "w", dir);
        assertThat(spec.models()).hasSize(24);
        assertThat(spec.models().get(0).name()).isEqualTo("m0");
        assertThat(spec.models().get(23).name()).isEqualTo("m23");
        assertThat(spec.models().stream().mapToDouble(ModelSpec::rate).sum()).isCloseTo(40, within(1e-9));
        assertThat(spec.models().get(5).cv()).isEqualTo(3);
    }

    @Test
    void readsATraceRelativeToTheSpec() throws Exception {
        Files.writeString(dir.resolve("arrivals.csv"), "arrival_s,model\n0.1,m0\n0.2,m1\n");
        Path f = dir.resolve("w.json");
        Files.writeString(f, """
                {"trace": "arrivals.csv", "models": [{"name": "m0", "slo_s": 0.5}, {"name": "m1", "slo_s": 1}]}
                """);
        Workload w = WorkloadSpec.read(f).generate();
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.slo(1)).isEqualTo(1.0);
    }

    @Test
    void errorsNameTheModel() {
        assertThatThrownBy(() -> WorkloadSpec.parse(io.muxflow.planner.io.Json.parse(
                "{\"duration_s\": 10, \"models\": [{\"name\": \"m0\"}]}", "w"), "w.json", dir))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("w.json").hasMessageContaining("'m0'")
                .hasMessageContaining("rate");
        assertThatThrownBy(() -> WorkloadSpec.parse(io.muxflow.planner.io.Json.parse(
                "{\"duration_s\": 10, \"models\": []}", "w"), "w.json", dir)).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> WorkloadSpec.parse(io.muxflow.planner.io.Json.parse(
                "{\"duration_s\": 10, \"models\": [{\"name\": \"a\", \"rate\": 1}, {\"name\": \"a\", \"rate\": 1}]}",
                "w"), "w.json", dir)).hasMessageContaining("twice");
    }
}
