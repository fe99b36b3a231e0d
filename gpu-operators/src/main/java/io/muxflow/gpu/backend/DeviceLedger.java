package io.muxflow.gpu.backend;

import java.util.concurrent.atomic.AtomicLong;

/** Counts the bytes stages hold on one device, so that tests and the profiler can check closing frees them. */
public final class DeviceLedger {
    private final AtomicLong used = new AtomicLong();

    public void allocate(long bytes) {
        used.addAndGet(bytes);
    }

    public void free(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }
}
