package io.muxflow.planner.placement;

/** Where a long search is; the CLI prints it on stderr. Called from worker threads. */
@FunctionalInterface
public interface SearchProgress {
    void report(String phase, int done, int total);

    SearchProgress NONE = (phase, done, total) -> { };
}
