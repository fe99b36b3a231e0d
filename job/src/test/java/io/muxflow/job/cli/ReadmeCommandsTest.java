package io.muxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's command blocks marked {@code <!-- run-by-test -->} run as written: every
 * {@code bin/muxflow ...} line (continuations joined) through the CLI in this JVM, every heredoc
 * ({@code cat > FILE <<'TAG'}) written out, in a fresh directory standing for the checkout's root
 * (paths into {@code ../shared} and {@code docs/} resolve against the real ones). A block that stops
 * working, or a new line this runner does not understand, fails here.
 */
class ReadmeCommandsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path cwd;

    @Test
    void theMarkedBlocksRunAsWritten() throws Exception {
        List<List<String>> blocks = blocks(Files.readAllLines(ROOT.resolve("README.md")));
        assertThat(blocks).as("marked blocks in README.md").hasSizeGreaterThanOrEqualTo(3);
        int commands = 0;
        for (List<String> block : blocks) {
            for (int i = 0; i < block.size(); i++) {
                String line = block.get(i);
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("cat > ")) {
                    String[] p = line.substring(6).split("\\s*<<\\s*");
                    String tag = p[1].replace("'", "").trim();
                    StringBuilder body = new StringBuilder();
                    while (!block.get(++i).equals(tag)) {
                        body.append(block.get(i)).append('\n');
                    }
                    Files.writeString(cwd.resolve(p[0].trim()), body);
                    continue;
                }
                assertThat(line).as("a README command this runner understands").startsWith("bin/muxflow ");
                String[] args = Arrays.stream(line.substring("bin/muxflow ".length()).trim().split("\\s+"))
                        .map(this::path).toArray(String[]::new);
                CliRunner r = CliRunner.run(args);
                assertThat(r.exitCode()).as("README: %s%n%s%n%s", line, r.out(), r.err()).isZero();
                commands++;
            }
        }
        assertThat(commands).isGreaterThanOrEqualTo(6);
    }

    /** File arguments as the shell in the checkout's root would see them. */
    private String path(String arg) {
        if (arg.startsWith("../") || arg.startsWith("docs/") || arg.startsWith("schemas/")) {
            return ROOT.resolve(arg).normalize().toString();
        }
        if (!arg.startsWith("-") && !arg.contains("/") && !arg.contains(":")
                && (arg.endsWith(".json") || arg.endsWith(".csv") || arg.endsWith(".bin"))) {
            return cwd.resolve(arg).toString();
        }
        return arg;
    }

    /** The bash blocks after each marker, continuation lines joined. */
    static List<List<String>> blocks(List<String> readme) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            if (!readme.get(i).trim().equals("<!-- run-by-test -->")) {
                continue;
            }
            assertThat(readme.get(i + 1)).as("a marker is followed by a bash block").isEqualTo("```bash");
            List<String> block = new ArrayList<>();
            StringBuilder cont = new StringBuilder();
            for (int j = i + 2; !readme.get(j).equals("```"); j++) {
                String l = readme.get(j);
                if (l.endsWith("\\")) {
                    cont.append(l, 0, l.length() - 1).append(' ');
                    continue;
                }
                block.add(cont.append(l).toString().replaceAll("\\s+", " ").trim().isEmpty() ? "" : cont.toString());
                cont.setLength(0);
            }
            out.add(block);
        }
        return out;
    }
}
