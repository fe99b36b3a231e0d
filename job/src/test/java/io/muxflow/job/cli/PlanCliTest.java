package io.muxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class PlanCliTest {
    static final String PROFILES = resolveProfiles();

    @TempDir
    Path dir;

    public static String resolveProfiles() {
        for (String p : new String[] {"../../shared/profiles/alpaserve-published.json",
                "../shared/profiles/alpaserve-published.json"}) {
            if (Files.exists(Path.of(p))) {
                return p;
            }
        }
        throw new IllegalStateException("../shared/profiles not found");
    }

    private Path workload(String json) throws Exception {
        Path f = dir.resolve("w.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void planWritesAPlanAndEndsWithOneJsonLine() throws Exception {
        Path w = workload("""
                {"duration_s": 120, "seed": 1, "total_rate": 12, "cv": 4,
                 "models": [{"name": "m", "count": 6, "profile": "bert-1.3b"}]}
                """);
        Path out = dir.resolve("plan.json");
        CliRunner r = CliRunner.run("plan", "--profiles", PROFILES, "--workload", w.toString(), "--devices", "4",
                "--mem-gb", "13", "--policy", "alpaserve", "--slo-scale", "5", "--out", out.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("attainment").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("per_model").size()).isEqualTo(6);
        assertThat(j.get("search_seconds").asDouble()).isPositive();
        assertThat(Files.exists(out)).isTrue();
        assertThat(r.err()).contains("[plan] alpaserve search");

        CliRunner s = CliRunner.run("simulate", "--profiles", PROFILES, "--workload", w.toString(), "--plan",
                out.toString(), "--slo-scale", "5", "--json");
        assertThat(s.exitCode()).as(s.err()).isZero();
        JsonNode sj = new ObjectMapper().readTree(s.lastLine());
        assertThat(sj.get("latency_p99_s").asDouble()).isPositive();
        // the same workload and simulator: simulate reproduces the plan's prediction
        assertThat(sj.get("attainment").asDouble()).isEqualTo(j.get("attainment").asDouble());
    }

    @Test
    void planWithBatchingScoresWithBatchesAndSimulateReproducesIt() throws Exception {
        Path profiles = dir.resolve("p.json");
        Files.writeString(profiles, """
                {"models": [{"model": "tiny", "configs": [
                  {"pp": 1, "latency_s": {"1": [0.020], "2": [0.024], "4": [0.030]}, "weight_bytes": [1000000000]}]}]}
                """);
        Path w = workload("""
                {"duration_s": 60, "seed": 3, "total_rate": 300, "cv": 3, "slo_s": 0.15,
                 "models": [{"name": "m", "count": 3, "profile": "tiny"}]}
                """);
        Path out = dir.resolve("plan.json");
        CliRunner plain = CliRunner.run("plan", "--profiles", profiles.toString(), "--workload", w.toString(),
                "--devices", "2", "--mem-gb", "4", "--json");
        CliRunner batched = CliRunner.run("plan", "--profiles", profiles.toString(), "--workload", w.toString(),
                "--devices", "2", "--mem-gb", "4", "--batching", "4", "--out", out.toString(), "--json");
        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(batched.exitCode()).as(batched.err()).isZero();
        double a1 = new ObjectMapper().readTree(plain.lastLine()).get("attainment").asDouble();
        double a4 = new ObjectMapper().readTree(batched.lastLine()).get("attainment").asDouble();
        // 300 req/s on two devices of 50 req/s each unbatched: only batches can serve most of it
        assertThat(a4).as("batched %s, unbatched %s", a4, a1).isGreaterThan(a1 + 0.1);
        CliRunner s = CliRunner.run("simulate", "--profiles", profiles.toString(), "--workload", w.toString(), "--plan",
                out.toString(), "--batching", "4", "--json");
        assertThat(s.exitCode()).as(s.err()).isZero();
        assertThat(new ObjectMapper().readTree(s.lastLine()).get("attainment").asDouble()).isEqualTo(a4);

        CliRunner bad = CliRunner.run("plan", "--profiles", profiles.toString(), "--workload", w.toString(),
                "--devices", "2", "--mem-gb", "4", "--batching", "0");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("--batching must be >= 1");
    }

    @Test
    void everyPolicyRuns() throws Exception {
        Path w = workload("""
                {"duration_s": 90, "seed": 2, "total_rate": 8, "cv": 3, "slo_s": 0.6,
                 "models": [{"name": "m", "count": 4, "profile": "bert-1.3b"}]}
                """);
        for (String policy : new String[] {"sr", "clockwork++", "alpaserve", "alpaserve-published"}) {
            CliRunner r = CliRunner.run("plan", "--profiles", PROFILES, "--workload", w.toString(), "--devices", "2",
                    "--mem-gb", "13", "--policy", policy, "--json");
            assertThat(r.exitCode()).as(policy + ": " + r.err()).isZero();
            assertThat(new ObjectMapper().readTree(r.lastLine()).get("policy").asText()).isEqualTo(policy);
        }
    }

    @Test
    void errorsNameTheInputAtFault() throws Exception {
        Path w = workload("""
                {"duration_s": 60, "models": [{"name": "m0", "profile": "gpt-9000", "rate": 1, "slo_s": 1}]}
                """);
        CliRunner r = CliRunner.run("plan", "--profiles", PROFILES, "--workload", w.toString(), "--devices", "2",
                "--mem-gb", "13");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("error").contains("'m0'").contains("gpt-9000");

        Files.writeString(dir.resolve("t.csv"), "arrival_s,model\n0.1,m0\nbad,m0\n");
        Path tw = dir.resolve("tw.json");
        Files.writeString(tw, "{\"trace\": \"t.csv\", \"models\": [{\"name\": \"m0\", \"profile\": \"bert-1.3b\", \"slo_s\": 1}]}");
        r = CliRunner.run("plan", "--profiles", PROFILES, "--workload", tw.toString(), "--devices", "2", "--mem-gb", "13");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("t.csv: line 3");

        Files.writeString(dir.resolve("t.csv"), "arrival_s,model\n");
        r = CliRunner.run("plan", "--profiles", PROFILES, "--workload", tw.toString(), "--devices", "2", "--mem-gb", "13");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no requests");

        Path big = workload("""
                {"duration_s": 60, "models": [{"name": "huge", "profile": "bert-2.6b", "rate": 1, "slo_s": 1}]}
                """);
        r = CliRunner.run("plan", "--profiles", PROFILES, "--workload", big.toString(), "--devices", "1", "--mem-gb", "2");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'huge'").contains("fits no group");

        r = CliRunner.run("plan", "--profiles", PROFILES, "--workload", big.toString(), "--devices", "2",
                "--mem-gb", "13", "--policy", "magic");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown policy 'magic'");

        r = CliRunner.run("plan", "--profiles", PROFILES, "--workload", big.toString(), "--devices", "x", "--mem-gb", "13");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--devices");

        Path noSlo = workload("""
                {"duration_s": 60, "models": [{"name": "m0", "profile": "bert-1.3b", "rate": 1}]}
                """);
        r = CliRunner.run("plan", "--profiles", PROFILES, "--workload", noSlo.toString(), "--devices", "2", "--mem-gb", "13");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'m0'").contains("no SLO");
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[] {"plan", "simulate"}) {
            CliRunner r = CliRunner.run(c, "--help");
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).contains("Usage: muxflow " + c);
        }
        assertThat(CliRunner.run("--help").out()).contains("plan").contains("simulate");
    }
}
