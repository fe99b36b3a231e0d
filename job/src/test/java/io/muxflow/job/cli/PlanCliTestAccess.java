package io.muxflow.job.cli;

import java.nio.file.Path;

/** The shared profiles' path, for tests outside this package. */
public final class PlanCliTestAccess {
    private PlanCliTestAccess() {
    }

    public static Path profiles() {
        return Path.of(PlanCliTest.PROFILES);
    }
}
