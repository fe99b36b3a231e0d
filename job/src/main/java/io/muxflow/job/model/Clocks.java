package io.muxflow.job.model;

import java.time.Instant;

/** Wall-clock time in microseconds since the epoch, the unit of every timestamp muxflow records. */
public final class Clocks {
    private Clocks() {
    }

    public static long nowUs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
