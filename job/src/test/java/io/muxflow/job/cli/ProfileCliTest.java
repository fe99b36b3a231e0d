package io.muxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileCliTest {
    @TempDir
    Path dir;

    @Test
    void profilesANamedShapeAndPlanAcceptsTheProfile() throws Exception {
        Path out = dir.resolve("tiny.json");
        CliRunner r = CliRunner.run("profile", "--backend", "cpu", "--model", "bert-tiny", "--pp", "1,2", "--batch",
                "1,2", "--seq", "8", "--runs", "2", "--warmup", "1", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("[profile] bert-tiny: pp=2 batch=2 (4/4)");
        Path w = dir.resolve("w.json");
        Files.writeString(w, """
                {"duration_s": 30, "models": [{"name": "a", "profile": "bert-tiny", "rate": 4, "cv": 2}]}
                """);
        CliRunner p = CliRunner.run("plan", "--profiles", out.toString(), "--workload", w.toString(), "--devices", "2",
                "--mem-gb", "1", "--slo-scale", "5", "--json");
        assertThat(p.exitCode()).as(p.err()).isZero();
        assertThat(new ObjectMapper().readTree(p.lastLine()).get("per_model").has("a")).isTrue();
    }

    @Test
    void badArgumentsAreNamed() {
        CliRunner r = CliRunner.run("profile", "--model", "no-such-model", "--out", dir.resolve("x.json").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown model 'no-such-model'");
        r = CliRunner.run("profile", "--model", "bert-tiny", "--pp", "3", "--out", dir.resolve("x.json").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cannot cut it into 3 stages");
        r = CliRunner.run("profile", "--model", dir.resolve("missing.safetensors").toString(), "--out",
                dir.resolve("x.json").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no such file");
    }
}
