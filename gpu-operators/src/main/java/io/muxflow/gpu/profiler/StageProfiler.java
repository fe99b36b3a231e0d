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
 * and {@code runs} timed times; the profile records the median, the stage's weight bytes and the
 * bytes of the activations it hands on.
 */
public final class StageProfiler {
    /** What to measure. */
    public record Options(List<Integer> pps, List<Integer> batches, int seqLen, int warmup, int runs, long seed) {
        public Options {
            pps = List.copyOf(pps);
            batches = List.copyOf(batches);
            if (pps.isEmpty() || batches.isEmpty() || seqLen < 1 || warmup < 0 || runs < 1) {
                throw new IllegalArgumentException("profile options: need pps, batches, seq >= 1, runs >= 1");
            }
        }
    }

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
        int total = o.pps().size() * o.batches().size();
        int done = 0;
        for (int pp : o.pps()) {
            List<StageSpec> specs = StagePartitioner.partition(c, pp, o.seqLen());
            List<StageExecutor> stages = new ArrayList<>();
            try {
                for (StageSpec s : specs) {
                    stages.add(f.load(c, s, w));
                }
                Map<Integer, double[]> lat = new LinkedHashMap<>();
                Map<Integer, long[]> act = new LinkedHashMap<>();
                for (int b : o.batches()) {
                    double[] l = new double[pp];
                    long[] a = new long[pp];
                    StageBatch x = input(c, b, o.seqLen(), o.seed());
                    for (int k = 0; k < pp; k++) {
                        StageExecutor e = stages.get(k);
                        StageBatch out = null;
                        for (int i = 0; i < o.warmup(); i++) {
                            out = e.run(x);
                        }
                        double[] times = new double[o.runs()];
                        for (int i = 0; i < o.runs(); i++) {
                            long t0 = System.nanoTime();
                            out = e.run(x);
                            times[i] = (System.nanoTime() - t0) / 1e9;
                        }
                        Arrays.sort(times);
                        l[k] = times[times.length / 2];
                        long floats = 0;
                        for (StageItem it : out.items()) {
                            floats += it.data().length;
                        }
                        a[k] = 4 * floats;
                        x = out;
                    }
                    lat.put(b, l);
                    act.put(b, a);
                    progress.report("pp=" + pp + " batch=" + b, ++done, total);
                }
                long[] weights = stages.stream().mapToLong(StageExecutor::weightBytes).toArray();
                configs.add(new ConfigProfile(ParallelConfig.of(1, pp), lat, weights, act));
            } finally {
                stages.forEach(StageExecutor::close);
            }
        }
        return new ModelProfile(name, configs);
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
