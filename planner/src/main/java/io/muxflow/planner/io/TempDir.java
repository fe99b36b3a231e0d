package io.muxflow.planner.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary directory deleted with everything in it on close, so benchmarks and tools leave
 * nothing behind in the system's temp directory.
 */
public final class TempDir implements AutoCloseable {
    private final Path path;

    private TempDir(Path path) {
        this.path = path;
    }

    public static TempDir create(String prefix) {
        try {
            return new TempDir(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    public Path resolve(String name) {
        return path.resolve(name);
    }

    /**
     * Deletes {@code dir} and everything under it; a missing directory is fine, and so is a file that
     * vanishes while the tree is walked (a process that is ending removes its own temporary files):
     * the walk is then taken again, a few times.
     */
    public static void deleteRecursively(Path dir) {
        for (int attempt = 1; ; attempt++) {
            if (!Files.exists(dir)) {
                return;
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                return;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        deleteRecursively(path);
    }
}
