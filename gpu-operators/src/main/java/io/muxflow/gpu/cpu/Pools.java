package io.muxflow.gpu.cpu;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;

/** One fork-join pool per thread count, shared by every cpu stage of the JVM, daemon threads. */
final class Pools {
    private static final ConcurrentHashMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    private Pools() {
    }

    static ForkJoinPool get(int threads) {
        return POOLS.computeIfAbsent(threads, t -> new ForkJoinPool(t, pool -> {
            var w = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            w.setDaemon(true);
            w.setName("muxflow-cpu-" + w.getPoolIndex());
            return w;
        }, null, false));
    }
}
