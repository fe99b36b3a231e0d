package io.muxflow.gpu.profiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.gpu.cpu.CpuBackend;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.weights.SyntheticWeights;
import io.muxflow.planner.placement.AlpaServeSearch;
import io.muxflow.planner.placement.Cluster;
import io.muxflow.planner.placement.PlacementProblem;
import io.muxflow.planner.placement.SearchOptions;
import io.muxflow.planner.placement.SearchProgress;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.WorkloadSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageProfilerTest {
    @TempDir
    Path dir;

    @Test
    void writesAProfileThePlannerPlansWith() {
        ModelConfig c = ModelConfig.named("bert-tiny");
        CpuBackend cpu = new CpuBackend();
        ModelProfile p = StageProfiler.profile("tiny", c, new SyntheticWeights(1), cpu,
                new StageProfiler.Options(List.of(1, 2), List.of(1, 2), 16, 1, 3, 0), (w, d, t) -> { });
        assertThat(cpu.deviceMemoryInUse()).isZero();
        ConfigProfile pp2 = p.config(ParallelConfig.of(1, 2)).orElseThrow();
        assertThat(pp2.latency(1)).hasSize(2);
        assertThat(java.util.Arrays.stream(pp2.latency(1)).min().orElseThrow()).isPositive();
        assertThat(pp2.latency(2)[0]).isPositive();
        // the first stage holds the embeddings
        assertThat(pp2.weightBytes()[0]).isGreaterThan(pp2.weightBytes()[1]);
        assertThat(pp2.actBytes().get(2)[0]).isEqualTo(2L * 16 * c.hidden() * 4);
        assertThat(pp2.actBytes().get(1)[1]).isEqualTo((long) c.hidden() * 4);

        Path f = dir.resolve("tiny.json");
        new ProfileDatabase(List.of(p)).write(f);
        ModelProfile read = ProfileDatabase.load(f).require("tiny", "test");
        WorkloadSpec spec = WorkloadSpec.generated(30, 0, List.of(new ModelSpec("a", "tiny", 5, 2, 0.5),
                new ModelSpec("b", "tiny", 5, 2, 0.5)));
        PlacementProblem problem = new PlacementProblem(List.of(read, read), spec.generate(), Cluster.of(2, 1),
                SimOptions.defaults(), SearchOptions.defaults());
        Plan plan = new AlpaServeSearch().place(problem, SearchProgress.NONE);
        assertThat(plan.predictedAttainment()).isBetween(0.0, 1.0);
        assertThat(plan.models()).containsExactlyInAnyOrder("a", "b");
    }
}
