package io.muxflow.planner.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.TestProfiles;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.workload.TraceCsv;
import io.muxflow.planner.workload.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compares the simulator in AlpaServe mode, request by request, with vectors produced by an
 * independent numpy statement of AlpaServe's semantics (tools/alpaserve_reference.py): 3000 bursty
 * requests with many equal timestamps, SLOs on float32 boundaries, four groups of pp 4, 2, 1, 1.
 */
class AlpaServeGoldenTest {
    @Test
    void matchesTheReferenceRequestByRequest() throws Exception {
        Path dir = Path.of(getClass().getResource("/alpaserve-golden/trace.csv").toURI()).getParent();
        Plan plan = Plan.read(dir.resolve("plan.json"));
        List<String> models = List.of("a", "b", "c");
        Workload w = TraceCsv.read(dir.resolve("trace.csv"), models);
        ProfileDatabase db = ProfileDatabase.load(TestProfiles.publishedProfiles());
        List<ModelProfile> profiles = models.stream().map(m -> db.require(plan.profileOf(m), m)).toList();
        Outcomes o = new Simulation(w, profiles, SimOptions.alpaServe()).outcomes(plan);
        List<String> expected = Files.readAllLines(dir.resolve("expected.csv"));
        assertThat(expected).hasSize(w.size() + 1);
        int good = 0;
        for (int i = 0; i < w.size(); i++) {
            String[] f = expected.get(i + 1).split(",");
            assertThat(o.good()[i]).as("request %d good", i).isEqualTo(f[0].equals("1"));
            assertThat(o.finish()[i]).as("request %d finish", i).isEqualTo(Double.parseDouble(f[1]));
            good += o.good()[i] ? 1 : 0;
        }
        assertThat(good).isEqualTo(1863); // attainment 0.621 in the reference
    }
}
