package io.muxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainCliTest {
    @TempDir
    Path dir;

    @Test
    void planWritesChainsThatSimulateReads() throws Exception {
        Path out = dir.resolve("chain-plan.json");
        CliRunner r = CliRunner.run("chain", "plan", "--servers", "paper:20,0.2", "--model", "bloom-176b", "--rate",
                "0.5", "--out", out.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("paper rule").contains("bound rule").contains("chain 0:");
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("kind").asText()).isEqualTo("chain-plan");
        assertThat(j.get("chains").size()).isPositive();
        int blocks = 0;
        for (JsonNode b : j.get("chains").get(0).get("blocks")) {
            blocks += b.asInt();
        }
        assertThat(blocks).isEqualTo(70);

        CliRunner s = CliRunner.run("chain", "simulate", "--servers", "paper:20,0.2", "--model", "bloom-176b",
                "--rate", "0.5", "--plan", out.toString(), "--jobs", "2000", "--json");
        assertThat(s.exitCode()).as(s.err()).isZero();
        JsonNode sj = new ObjectMapper().readTree(s.lastLine());
        // response time is at least the fastest chain's service time
        assertThat(sj.get("mean_response_s").asDouble())
                .isGreaterThanOrEqualTo(j.get("chains").get(0).get("service_s").asDouble() - 1e-9);
        assertThat(sj.get("policy").asText()).isEqualTo("plan");
    }

    @Test
    void simulatesThePetalsBaselineAndOtherRouters() throws Exception {
        CliRunner p = CliRunner.run("chain", "simulate", "--servers", "paper:10,0.4", "--model", "bloom-176b",
                "--rate", "0.2", "--policy", "petals", "--jobs", "1000", "--json");
        assertThat(p.exitCode()).as(p.err()).isZero();
        assertThat(new ObjectMapper().readTree(p.lastLine()).get("router").asText()).isEqualTo("petals");
        CliRunner q = CliRunner.run("chain", "simulate", "--servers", "paper:10,0.4", "--model", "bloom-176b",
                "--rate", "0.2", "--router", "sed", "--service", "exponential", "--jobs", "1000", "--json");
        assertThat(q.exitCode()).as(q.err()).isZero();
        assertThat(q.out()).contains("occupancy bounds");
        CliRunner rep = CliRunner.run("chain", "simulate", "--servers", "paper:10,0.4", "--model", "llama-2-13b",
                "--rate", "2", "--policy", "replicas", "--jobs", "1000");
        assertThat(rep.exitCode()).as(rep.err()).isZero();
    }

    @Test
    void simulatesATrace() throws Exception {
        Path trace = dir.resolve("arrivals.csv");
        StringBuilder b = new StringBuilder("arrival_s,model\n");
        for (int i = 0; i < 400; i++) {
            b.append(i * 4.0).append(",bloom\n");
        }
        Files.writeString(trace, b);
        CliRunner r = CliRunner.run("chain", "simulate", "--servers", "paper:20,0.2", "--model", "bloom-176b",
                "--rate", "0.25", "--trace", trace.toString(), "--warmup", "0", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("jobs").asInt()).isEqualTo(400);
        // one job every 4 s on chains faster than that: nobody waits
        assertThat(j.get("mean_wait_s").asDouble()).isZero();
        assertThat(j.get("arrival_rate").asDouble()).isCloseTo(0.25, org.assertj.core.api.Assertions.within(1e-9));
    }

    @Test
    void badInputsGetClearErrorsAndExitCode2() throws Exception {
        CliRunner infeasible = CliRunner.run("chain", "plan", "--servers", "paper:5,0.0", "--model", "bloom-176b",
                "--rate", "0.1");
        assertThat(infeasible.exitCode()).isEqualTo(2);
        assertThat(infeasible.err()).contains("infeasible");
        CliRunner rate = CliRunner.run("chain", "plan", "--servers", "paper:5,0.5", "--model", "bloom-176b",
                "--rate", "-3");
        assertThat(rate.exitCode()).isEqualTo(2);
        assertThat(rate.err()).contains("--rate");
        Path bad = dir.resolve("servers.json");
        Files.writeString(bad, "{\"servers\": [{\"memory_gb\": 40}]}");
        CliRunner file = CliRunner.run("chain", "plan", "--servers", bad.toString(), "--model", "bloom-176b",
                "--rate", "1");
        assertThat(file.exitCode()).isEqualTo(2);
        assertThat(file.err()).contains("servers[0]");
        CliRunner noFit = CliRunner.run("chain", "simulate", "--servers", "paper:10,0.4", "--model", "bloom-176b",
                "--rate", "0.2", "--policy", "replicas");
        assertThat(noFit.exitCode()).isEqualTo(2);
        assertThat(noFit.err()).contains("do not fit");
        CliRunner router = CliRunner.run("chain", "simulate", "--servers", "paper:10,0.4", "--model", "bloom-176b",
                "--rate", "0.2", "--router", "random");
        assertThat(router.exitCode()).isEqualTo(2);
        assertThat(router.err()).contains("--router");
    }
}
