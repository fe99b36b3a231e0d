package io.muxflow.job.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Tools muxflow did not write: kcat and Debian's python3-avro as Kafka clients, docker-compose to
 * validate the compose file, headless Chromium for the dashboard screenshot. Tests using them skip
 * where they are not installed, unless MUXFLOW_REQUIRE_CLIENTS=1 (as .ci/run sets) makes that a
 * failure.
 */
public final class ExternalClients {
    static final String PYTHON = "/usr/bin/python3";

    private ExternalClients() {
    }

    static boolean required() {
        return "1".equals(System.getenv("MUXFLOW_REQUIRE_CLIENTS"));
    }

    static void need(boolean present, String what) {
        if (required()) {
            if (!present) {
                throw new AssertionError(what + " is required (MUXFLOW_REQUIRE_CLIENTS=1) but not installed");
            }
        } else {
            if (!present) {
                // said on the console, not only in the report: a skipped check is easy to take for a passed one
                StackWalker.StackFrame test = StackWalker.getInstance().walk(f -> f.filter(
                        x -> !x.getClassName().equals(ExternalClients.class.getName())).findFirst().orElse(null));
                System.err.printf("SKIPPED %s: %s is not installed (apt-get install it, as .ci/run does, to run "
                        + "this check)%n", test == null ? "a test" : test.getClassName() + "." + test.getMethodName(), what);
            }
            Assumptions.assumeTrue(present, what + " not installed");
        }
    }

    static void needKcat() {
        need(run(List.of("kcat", "-V"), null, 10).exit == 0, "kcat");
    }

    static void needPythonAvro() {
        need(run(List.of(PYTHON, "-c", "import avro.io"), null, 20).exit == 0, "python3-avro (" + PYTHON + ")");
    }

    static void needDockerCompose() {
        need(run(List.of("docker-compose", "version"), null, 30).exit == 0, "docker-compose");
    }

    static void needChromium() {
        need(run(List.of("chromedriver", "--version"), null, 30).exit == 0
                && run(List.of("chromium", "--version"), null, 30).exit == 0, "chromium and chromium-driver");
    }

    record Result(int exit, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    static Result run(List<String> cmd, byte[] stdin, int timeoutS) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin);
            }
            p.getOutputStream().close();
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            reader.start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            reader.join();
            return new Result(p.exitValue(), out[0], err);
        } catch (IOException e) {
            return new Result(127, new byte[0], e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, new byte[0], "interrupted");
        }
    }

    /** The published .avsc files, copied out of the schemas jar into {@code parent}/avsc for outside clients. */
    static Path schemaDir(Path parent) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("avsc"));
        for (String n : List.of("InferenceRequest", "InferenceResponse", "DeadLetter", "ModelArrivalStats",
                "PlacementPlan")) {
            try (InputStream in = ExternalClients.class.getResourceAsStream("/io/muxflow/schema/avsc/" + n + ".avsc")) {
                Files.write(dir.resolve(n + ".avsc"), in.readAllBytes());
            }
        }
        return dir;
    }

    /** An example client shipped under docs/examples (run as users run it). */
    static Path script(Path parent, String name) throws IOException {
        Path f = parent.resolve(name);
        Files.copy(Path.of("..", "docs", "examples", name), f);
        return f;
    }

    static List<String> kcat(String bootstrap, String... args) {
        List<String> cmd = new ArrayList<>(List.of("kcat", "-b", bootstrap));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
