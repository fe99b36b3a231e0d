package io.muxflow.planner.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.TestProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void loadsThePublishedAlpaServeProfiles() {
        ProfileDatabase db = ProfileDatabase.load(TestProfiles.publishedProfiles());
        ModelProfile bert = db.require("bert-1.3b", "test");
        assertThat(bert.configs()).hasSize(4);
        ConfigProfile pp2 = bert.config(ParallelConfig.of(1, 2)).orElseThrow();
        assertThat(pp2.latency(1)).containsExactly(0.051, 0.052);
        assertThat(pp2.maxStageWeightBytes()).isEqualTo(1395864371L);
        assertThat(bert.singleDeviceLatency()).isEqualTo(0.099);
        assertThat(db.require("bert-2.6b", "test").config(ParallelConfig.of(1, 2))).isPresent();
    }

    @Test
    void roundTripsThroughJsonAndIgnoresUnknownKeys() throws Exception {
        Path f = dir.resolve("p.json");
        Files.writeString(f, """
                {"source": "hand", "models": [{"model": "m", "extra": 1,
                  "configs": [{"dp": 1, "op": 1, "pp": 2, "latency_s": {"1": [0.1, 0.2], "4": [0.3, 0.4]},
                               "weight_bytes": [1e9, 2e9], "act_bytes": {"1": [10, 0]}, "note": "x"}]}]}
                """);
        ProfileDatabase db = ProfileDatabase.load(f);
        ConfigProfile c = db.require("m", "t").configs().get(0);
        assertThat(c.latency(4)).containsExactly(0.3, 0.4);
        assertThat(c.weightBytes()).containsExactly(1_000_000_000L, 2_000_000_000L);
        Path g = dir.resolve("q.json");
        db.write(g);
        ProfileDatabase again = ProfileDatabase.load(g);
        assertThat(again.require("m", "t")).isEqualTo(db.require("m", "t"));
    }

    @Test
    void rejectsStageCountsThatDoNotMatchPp() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, """
                {"model": "m", "configs": [{"pp": 2, "latency_s": {"1": [0.1]}, "weight_bytes": [1, 1]}]}
                """);
        assertThatThrownBy(() -> ProfileDatabase.load(f)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bad.json").hasMessageContaining("'m'").hasMessageContaining("expected pp=2");
    }

    @Test
    void rejectsNonPositiveLatencies() throws Exception {
        Path f = dir.resolve("neg.json");
        Files.writeString(f, """
                {"models": [{"model": "m", "configs": [{"pp": 1, "latency_s": {"1": [0]}, "weight_bytes": [1]}]}]}
                """);
        assertThatThrownBy(() -> ProfileDatabase.load(f)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("positive");
    }

    @Test
    void namesTheFileWhenJsonIsBroken() throws Exception {
        Path f = dir.resolve("broken.json");
        Files.writeString(f, "{\"models\": [");
        assertThatThrownBy(() -> ProfileDatabase.load(f)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("broken.json").hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ProfileDatabase.load(dir.resolve("missing.json")))
                .hasMessageContaining("no such file");
    }

    @Test
    void unknownProfileNamesTheLoadedOnes() {
        ProfileDatabase db = new ProfileDatabase(java.util.List.of(TestProfiles.model("a", TestProfiles.single(0.1, 1))));
        assertThatThrownBy(() -> db.require("b", "workload w.json: model 'x'"))
                .hasMessageContaining("model 'x'").hasMessageContaining("'b'").hasMessageContaining("a");
    }
}
