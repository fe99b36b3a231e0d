package io.muxflow.job.model;

import java.time.Instant;

/** Wall-clock time in microseconds since the epoch, the unit of every timestamp muxflow records. */
public final class Clocks {
    private Clocks() {
    }

    /** A clock an operator can be given, so that a test replays a trace at fixed instants. */
    @FunctionalInterface
    public interface Source extends java.io.Serializable {
        long nowUs();

        /** The wall clock: {@link Clocks#nowUs()}. */
        Source SYSTEM = Clocks::nowUs;
    }

    public static long nowUs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
