package io.muxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program the kernel tests need (nvcc's ptxas, g++) and skips the test where it is not installed. */
final class ExternalTool {
    private ExternalTool() {
    }

    /**
     * Runs {@code command} in {@code dir}; asserts it finished within the timeout with exit status 0
     * and returns its output (stdout and stderr together).
     */
    static String run(Path dir, int timeoutSeconds, String... command) throws Exception {
        Path log = dir.resolve(Path.of(command[0]).getFileName() + ".log");
        Process p;
        try {
            p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            assumeTrue(false, command[0] + " is not installed");
            throw e;
        }
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(done).as("%s finished within %d s; output:%n%s", command[0], timeoutSeconds, out).isTrue();
        assertThat(p.exitValue()).as("%s exit status; output:%n%s", command[0], out).isZero();
        return out;
    }
}
