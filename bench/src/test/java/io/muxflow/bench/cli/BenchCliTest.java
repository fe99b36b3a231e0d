package io.muxflow.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.cli.CliRunner;
import org.junit.jupiter.api.Test;

/** {@code muxflow bench serving} refuses bad numbers with a clear error (exit 2) before starting anything. */
class BenchCliTest {
    static final String PROFILES = io.muxflow.job.cli.PlanCliTest.resolveProfiles();

    static CliRunner serving(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "bench";
        all[1] = "serving";
        all[2] = "--profiles";
        all[3] = PROFILES;
        System.arraycopy(args, 0, all, 4, args.length);
        return CliRunner.run(all);
    }

    @Test
    void badNumbersAreClearErrors() {
        CliRunner r = serving("--overhead-only", "200", "--warmup-seconds", "-1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("warm-up needs seconds >= 0 and a rate > 0, got -1.0 s");
        r = serving("--overhead-only", "200", "--warmup-rate", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("a rate > 0");
        r = serving("--overhead-only", "200,-5");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--overhead-only rates must be > 0, got -5.0");
        r = serving("--overhead-only", "200", "--seconds", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--seconds must be > 0, got 0.0");
        r = serving("--set", "no-equals-sign", "--overhead-only", "200");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no-equals-sign");
        for (String bad : new String[] {"soon", "-5us", "5 parsecs"}) {
            r = serving("--overhead-only", "200", "--cpu-latency-qos", bad);
            assertThat(r.exitCode()).as(bad).isEqualTo(2);
            assertThat(r.err()).contains("--cpu-latency-qos").contains(bad);
        }
    }
}
