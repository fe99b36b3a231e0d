package io.muxflow.job.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.Workload;
import io.muxflow.planner.workload.WorkloadSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A candidate plan that would abandon a model with traffic, or cost it more than the dead band, is refused. */
class CandidateGuardTest {
    static final ModelProfile TEN_MS = new ModelProfile("p", List.of(new ConfigProfile(ParallelConfig.of(1, 1),
            Map.of(1, new double[] {0.010}), new long[] {1}, Map.of())));
    static final List<ModelProfile> PROFILES = List.of(TEN_MS, TEN_MS, TEN_MS);
    static final SimOptions SIM = SimOptions.defaults().withWarmup(0);

    static Plan plan(String groups) {
        return Plan.parse(Json.parse("{\"version\": 1, \"groups\": [" + groups + "]}", "plan"), "plan");
    }

    /** Three models, a burst on a: 400 req/s of 10-ms requests (4x what one device serves), b and c quiet. */
    static Workload burst() {
        return WorkloadSpec.generated(20, 3, List.of(new ModelSpec("a", "p", 400, 4, 0.1),
                new ModelSpec("b", "p", 5, 1, 0.1), new ModelSpec("c", "p", 5, 1, 0.1))).generate();
    }

    @Test
    void aCandidateThatDropsAModelWithTrafficIsRefused() {
        Plan current = plan("{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]},"
                + "{\"id\": 1, \"devices\": 1, \"pp\": 1, \"models\": [\"b\", \"c\"]}");
        Plan dropsC = plan("{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]},"
                + "{\"id\": 1, \"devices\": 1, \"pp\": 1, \"models\": [\"a\", \"b\"]}");
        assertThat(CandidateGuard.refusal(current, dropsC, burst(), PROFILES, SIM, 0.03))
                .contains("abandon model 'c'");
    }

    @Test
    void aCandidateThatSacrificesAQuietModelToTheBurstIsRefused() {
        Plan current = plan("{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]},"
                + "{\"id\": 1, \"devices\": 1, \"pp\": 1, \"models\": [\"b\", \"c\"]}");
        // b and c still have a replica, but on the device the burst floods
        Plan shares = plan("{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\", \"b\", \"c\"]},"
                + "{\"id\": 1, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]}");
        String why = CandidateGuard.refusal(current, shares, burst(), PROFILES, SIM, 0.03);
        assertThat(why).contains("would cost model '").contains("more than the dead band");
    }

    @Test
    void aCandidateThatHelpsTheBurstWithoutHurtingTheOthersPasses() {
        Plan current = plan("{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\", \"b\"]},"
                + "{\"id\": 1, \"devices\": 1, \"pp\": 1, \"models\": [\"c\"]}");
        Plan better = plan("{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]},"
                + "{\"id\": 1, \"devices\": 1, \"pp\": 1, \"models\": [\"b\", \"c\"]}");
        assertThat(CandidateGuard.refusal(current, better, burst(), PROFILES, SIM, 0.03)).isNull();
    }
}
