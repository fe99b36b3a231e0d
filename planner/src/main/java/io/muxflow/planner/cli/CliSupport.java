package io.muxflow.planner.cli;

import io.muxflow.planner.placement.SearchProgress;
import java.io.PrintWriter;

/** Progress lines on stderr, at most a few per second, and always the last one. */
public final class CliSupport {
    private CliSupport() {
    }

    public static SearchProgress progress(PrintWriter err, String command) {
        long start = System.nanoTime();
        long[] last = {0};
        return (phase, done, total) -> {
            long now = System.nanoTime();
            synchronized (last) {
                if (done < total && now - last[0] < 500_000_000L) {
                    return;
                }
                last[0] = now;
            }
            err.printf("[%s] %s %d/%d (%.1f s)%n", command, phase, done, total, (now - start) / 1e9);
            err.flush();
        };
    }

    /** {@code o} with batching up to {@code max} (the {@code --batching} option), unchanged when it is absent. */
    static io.muxflow.planner.sim.SimOptions batching(io.muxflow.planner.sim.SimOptions o, Integer max) {
        if (max == null) {
            return o;
        }
        if (max < 1) {
            throw new io.muxflow.planner.InvalidInputException("--batching must be >= 1 (the largest batch), got " + max);
        }
        return o.withBatching(max); // 1 queues without batching: an analysis model the job does not run
    }
}
