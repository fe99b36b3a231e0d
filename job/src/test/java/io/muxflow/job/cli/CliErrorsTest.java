package io.muxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.gpu.cuda.CudaAvailability;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors a user causes are one line that names the input at fault, with exit status 2, never a stack
 * trace: an address nothing answers at, a backend this machine lacks, a chain command's own name.
 */
class CliErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aControllerWhoseRestAddressDoesNotAnswerSaysWhichAddressInOneLine() throws Exception {
        Path profiles = dir.resolve("p.json");
        Files.writeString(profiles, "{\"models\": []}");
        CliRunner r = CliRunner.run("controller", "--rest", "http://127.0.0.1:9", "--bootstrap", "127.0.0.1:9",
                "--profiles", profiles.toString(), "--savepoint-dir", dir.toUri().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("muxflow controller: error: cannot reach Flink's REST API at http://127.0.0.1:9")
                .doesNotContain("\tat ");
    }

    @Test
    void profilingOnCudaWithoutAGpuIsOneLine() {
        Assumptions.assumeFalse(CudaAvailability.probe().ok(), "this machine has a usable GPU");
        CliRunner r = CliRunner.run("profile", "--backend", "cuda", "--model", "bert-tiny", "--out",
                dir.resolve("x.json").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("muxflow profile: error: backend 'cuda' is unavailable");
    }

    @Test
    void chainCommandsNameThemselves() {
        CliRunner r = CliRunner.run("chain", "simulate", "--servers", "paper:20,0.2", "--model", "bloom-176b", "--rate",
                "0.5", "--router", "random");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("muxflow chain simulate: error:");
        r = CliRunner.run("chain", "plan", "--servers", "paper:20,0.2", "--model", "bloom-176b", "--rate", "-1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("muxflow chain plan: error:");
    }
}
