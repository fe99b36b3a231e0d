package io.muxflow.planner.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanTest {
    @TempDir
    Path dir;

    @Test
    void readsTheArchitectureExampleAndRoundTrips() throws Exception {
        Path f = dir.resolve("plan.json");
        Files.writeString(f, """
                {"version": 3, "policy": "alpaserve",
                 "groups": [{"id": 0, "devices": 4, "op": 1, "pp": 4, "models": ["m0", "m3"]},
                            {"id": 1, "devices": 1, "op": 1, "pp": 1, "models": ["m1"]}],
                 "predicted": {"attainment": 0.974}}
                """);
        Plan p = Plan.read(f);
        assertThat(p.version()).isEqualTo(3);
        assertThat(p.devices()).isEqualTo(5);
        assertThat(p.predictedAttainment()).isEqualTo(0.974);
        Placement pl = p.placement(List.of("m0", "m1", "m2", "m3"));
        assertThat(pl.modelsOf(0)).containsExactly(0, 3);
        assertThat(pl.config(0).pp()).isEqualTo(4);
        Path g = dir.resolve("again.json");
        p.withModelProfiles(Map.of("m0", "bert-1.3b")).write(g);
        Plan q = Plan.read(g);
        assertThat(q.groups()).isEqualTo(p.groups());
        assertThat(q.profileOf("m0")).isEqualTo("bert-1.3b");
        assertThat(q.profileOf("m1")).isEqualTo("m1");
    }

    @Test
    void segmentsRoundTrip() {
        Plan p = new Plan(1, "clockwork++", List.of(new Plan.Group(0, 1, 1, 1, List.of("a"))),
                List.of(new Plan.Segment(0, List.of(new Plan.Group(0, 1, 1, 1, List.of("a")))),
                        new Plan.Segment(60, List.of(new Plan.Group(0, 1, 1, 1, List.of("b"))))),
                0.5, Map.of("a", 0.4), Map.of());
        Plan q = Plan.parse(p.toJson(), "t");
        assertThat(q.segments()).isEqualTo(p.segments());
        assertThat(q.timeVarying()).isTrue();
        assertThat(q.predictedPerModel()).containsEntry("a", 0.4);
    }

    @Test
    void errorsNameTheGroup() {
        assertThatThrownBy(() -> Plan.parse(Json.parse(
                "{\"groups\": [{\"id\": 0, \"devices\": 3, \"pp\": 2, \"models\": []}]}", "p"), "plan.json"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("plan.json").hasMessageContaining("group 0");
        Plan p = Plan.parse(Json.parse("{\"groups\": [{\"id\": 0, \"pp\": 1, \"models\": [\"zz\"]}]}", "p"), "plan.json");
        assertThatThrownBy(() -> p.placement(List.of("a"))).hasMessageContaining("'zz'");
        assertThatThrownBy(() -> Plan.parse(Json.parse("{\"groups\": [{\"id\": 0, \"pp\": 1, \"models\": []},"
                + "{\"id\": 0, \"pp\": 1, \"models\": []}]}", "p"), "plan.json")).hasMessageContaining("twice");
    }

    @Test
    void modelAndProfileNamesAreNamesNeverPaths() {
        for (String bad : new String[] {"../etc/passwd", "a/b", "..", "x..y", "", " a", "a\\b"}) {
            String plan = "{\"version\": 1, \"groups\": [{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"m\"]}],"
                    + " \"model_profiles\": {\"m\": " + io.muxflow.planner.io.Json.MAPPER.valueToTree(bad) + "}}";
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Plan.parse(io.muxflow.planner.io.Json.parse(plan,
                    "plan"), "plan")).as(bad).isInstanceOf(io.muxflow.planner.InvalidInputException.class)
                    .hasMessageContaining("is not a name");
        }
        String ok = "{\"version\": 1, \"groups\": [{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"bert-a\"]}],"
                + " \"model_profiles\": {\"bert-a\": \"bert-1.3b\"}}";
        org.assertj.core.api.Assertions.assertThat(Plan.parse(io.muxflow.planner.io.Json.parse(ok, "plan"), "plan")
                .profileOf("bert-a")).isEqualTo("bert-1.3b");
    }
}
