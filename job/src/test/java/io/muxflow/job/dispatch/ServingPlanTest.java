package io.muxflow.job.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ParallelConfig;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.sim.SimOptions;
import org.junit.jupiter.api.Test;

/** Plans are executed as planned (issue 22, part 3), or refused at submit with the reason. */
class ServingPlanTest {
    static final String PROFILES = """
            {"models": [{"model": "p", "configs": [
              {"pp": 1, "latency_s": {"1": [0.010]}, "weight_bytes": [1]},
              {"op": 2, "pp": 1, "latency_s": {"1": [0.006]}, "weight_bytes": [1]}]}]}
            """;
    static final String OP2 = """
            {"version": 9, "groups": [{"id": 0, "devices": 2, "op": 2, "pp": 1, "models": ["a"]}],
             "model_profiles": {"a": "p"}}""";

    private static ServingPlan plan(String backend) {
        return new ServingPlan(Plan.parse(Json.parse(OP2, "plan"), "plan"),
                new ProfileDatabase(ProfileDatabase.parse(Json.parse(PROFILES, "p"), "p")), backend, null,
                SimOptions.defaults().withOverheads(0, 0));
    }

    @Test
    void aStageOverTwoDevicesIsPredictedWithItsOwnLatency() {
        ServingPlan p = plan("emulated");
        assertThat(p.group(0).op()).isEqualTo(2);
        assertThat(p.placement().config(0)).isEqualTo(ParallelConfig.of(2, 1));
        assertThat(p.latencyUs(0, p.modelIndex("a"))).containsExactly(6000);
    }

    @Test
    void aBackendThatRunsAStageOnOneDeviceRefusesThePlanAtSubmit() {
        assertThatThrownBy(() -> plan("cuda")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("plan v9: group 0 runs each stage over 2 devices (op = 2); backend 'cuda' runs a "
                        + "stage on one device");
    }
}
