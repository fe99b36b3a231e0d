package io.muxflow.planner.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TempDirTest {
    @Test
    void closeDeletesTheTree() throws Exception {
        Path root;
        try (TempDir d = TempDir.create("muxflow-test")) {
            root = d.path();
            Files.createDirectories(d.resolve("a/b"));
            Files.writeString(d.resolve("a/b/c.txt"), "x");
            Files.writeString(d.resolve("top.txt"), "y");
            assertTrue(Files.isRegularFile(d.resolve("a/b/c.txt")));
        }
        assertFalse(Files.exists(root));
        TempDir.deleteRecursively(root); // already gone: no error
    }
}
