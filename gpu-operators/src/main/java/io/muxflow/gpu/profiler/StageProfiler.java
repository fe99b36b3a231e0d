package io.muxflow.gpu.profiler;

import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StagePartitioner;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.weights.WeightSource;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures a model's stages into the profile format the planner reads (ARCHITECTURE.md, "Model
 * profile"): for each pipeline depth, the model is cut as the executors cut it and every stage is
 * loaded on the backend; for each batch size, a batch of {@code seqLen}-token requests flows through
 * the stages once to produce each stage's real input, then each stage runs it {@code warmup} times
 * and {@code runs} timed times (with a cold-cache option: the caches are filled with other data before
 * each timed run, as serving several models does); the profile records the median, the stage's weight bytes and the
 * bytes of the activations it hands on.
 */
public final class StageProfiler {
    /** What to measure. */
    public record Options(List<Integer> ops, List<Integer> pps, List<Integer> batches, int seqLen, int warmup,
            int runs, long seed, long evictBytes) {
        public Options {
            ops = List.copyOf(ops);
            pps = List.copyOf(pps);
            batches = List.copyOf(batches);
            if (ops.isEmpty() || pps.isEmpty() || batches.isEmpty() || seqLen < 1 || warmup < 0 || runs < 1
                    || evictBytes < 0 || ops.stream().anyMatch(o -> o < 1)) {
                throw new IllegalArgumentException("profile options: need ops >= 1, pps, batches, seq >= 1, runs >= 1");
            }
        }

        /** One device per stage (op = 1). */
        public Options(List<Integer> pps, List<Integer> batches, int seqLen, int warmup, int runs, long seed,
                long evictBytes) {
            this(List.of(1), pps, batches, seqLen, warmup, runs, seed, evictBytes);
        }

        /** op = 1, warm caches: each timed run finds the previous run's weights in the CPU caches. */
        public Options(List<Integer> pps, List<Integer> batches, int seqLen, int warmup, int runs, long seed) {
            this(pps, batches, seqLen, warmup, runs, seed, 0);
        }
    }

    /**
     * Bytes streamed through before each timed run for a cold-cache measurement: more than any last-level
     * cache here, so a stage starts as it does when serving, after other models' stages took the caches.
     */
    public static final long COLD_CACHE_BYTES = 256L << 20;

    /** Progress callback: (what, done, total). */
    @FunctionalInterface
    public interface Progress {
        void report(String what, int done, int total);
    }

    private StageProfiler() {
    }

    public static ModelProfile profile(String name, ModelConfig c, WeightSource w, StageExecutorFactory f, Options o,
            Progress progress) {
        List<ConfigProfile> configs = new ArrayList<>();
        int total = o.ops().size() * o.pps().size() * o.batches().size();
        int done = 0;
        long[] evict = o.evictBytes() > 0 ? evictionBuffer(o.evictBytes()) : null;
        for (int op : o.ops()) {
            for (int pp : o.pps()) {
                List<StageSpec> specs = StagePartitioner.partition(c, pp, o.seqLen());
                List<StageExecutor> stages = new ArrayList<>();
                try {
                    for (StageSpec s : specs) {
                        stages.add(f.load(c, s, w, op));
                    }
                    Map<Integer, double[]> lat = new LinkedHashMap<>();
                    Map<Integer, long[]> act = new LinkedHashMap<>();
                    for (int b : o.batches()) {
                        double[] l = new double[pp];
                        long[] a = new long[pp];
                        StageBatch x = input(c, b, o.seqLen(), o.seed());
                        for (int k = 0; k < pp; k++) {
                            StageExecutor e = stages.get(k);
                            StageBatch out = warmUp(e, x, o.warmup());
                            double[] times = new double[o.runs()];
                            for (int i = 0; i < o.runs(); i++) {
                                if (evict != null) {
                                    sink += evictCaches(evict);
                                }
                                long t0 = System.nanoTime();
                                out = e.run(x);
                                times[i] = (System.nanoTime() - t0) / 1e9;
                            }
                            Arrays.sort(times);
                            l[k] = io.muxflow.planner.stats.Percentiles.nearestRank(times, 0.5);
                            long floats = 0;
                            for (StageItem it : out.items()) {
                                floats += it.data().length;
                            }
                            a[k] = 4 * floats;
                            x = out;
                        }
                        lat.put(b, l);
                        act.put(b, a);
                        progress.report((op > 1 ? "op=" + op + " " : "") + "pp=" + pp + " batch=" + b, ++done, total);
                    }
                    long[] weights = stages.stream().mapToLong(StageExecutor::weightBytes).toArray();
                    configs.add(new ConfigProfile(ParallelConfig.of(op, pp), lat, weights, act));
                } finally {
                    stages.forEach(StageExecutor::close);
                }
            }
        }
        return new ModelProfile(name, configs);
    }

    static final int STEADY_WINDOW = 5;
    static final double STEADY_TOLERANCE = 0.05;
    static final int STEADY_MAX_RUNS = 200;
    static final long STEADY_MAX_NANOS = 20_000_000_000L;

    /**
     * Runs the stage {@code minRuns} times, then in windows of 5 until two windows' medians are within
     * 5% of each other and the JIT compiled nothing during the last window (at most 200 more runs or
     * 20 s). A fixed few runs were not enough: in a fresh JVM the Vector API kernels ran about 1.8x
     * slower until C2 compiled them, and the first configuration profiled read that much too slow;
     * steady times alone were not enough either (the slow phase can be steady for a while).
     */
    static StageBatch warmUp(StageExecutor e, StageBatch x, int minRuns) {
        StageBatch out = null;
        for (int i = 0; i < minRuns; i++) {
            out = e.run(x);
        }
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long deadline = System.nanoTime() + STEADY_MAX_NANOS;
        double previous = Double.NaN;
        double[] window = new double[STEADY_WINDOW];
        for (int runs = 0; runs < STEADY_MAX_RUNS && System.nanoTime() < deadline; runs += STEADY_WINDOW) {
            long compiledBefore = jitTimed ? jit.getTotalCompilationTime() : 0;
            for (int i = 0; i < STEADY_WINDOW; i++) {
                long t0 = System.nanoTime();
                out = e.run(x);
                window[i] = System.nanoTime() - t0;
            }
            boolean jitQuiet = !jitTimed || jit.getTotalCompilationTime() == compiledBefore;
            Arrays.sort(window);
            double median = io.muxflow.planner.stats.Percentiles.nearestRank(window, 0.5);
            if (jitQuiet && Math.abs(median - previous) <= STEADY_TOLERANCE * previous) {
                break;
            }
            previous = median;
        }
        return out;
    }

    /** Keeps the eviction reads from being optimized away. */
    static volatile long sink;

    /** The last eviction buffer: kept, so a process that profiles again does not allocate 256 MB each time. */
    private static long[] evictionBuffer = new long[0];

    private static synchronized long[] evictionBuffer(long bytes) {
        int longs = (int) Math.min(Integer.MAX_VALUE - 8, bytes / 8);
        if (evictionBuffer.length != longs) {
            evictionBuffer = null; // let the old one go before the new one is allocated
            evictionBuffer = new long[longs];
        }
        return evictionBuffer;
    }

    /** Writes one word per cache line of {@code buf}: every line the stage's weights held is taken. */
    static long evictCaches(long[] buf) {
        long s = 0;
        for (int i = 0; i < buf.length; i += 8) {
            buf[i] += 1;
            s += buf[i];
        }
        return s;
    }

    static StageBatch input(ModelConfig c, int batch, int seq, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<StageItem> items = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int[] t = new int[seq];
            for (int j = 0; j < seq; j++) {
                t[j] = rng.nextInt(c.vocab());
            }
            items.add(StageItem.ofTokens(t));
        }
        return StageBatch.tokens(items);
    }
}
