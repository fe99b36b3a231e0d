package io.muxflow.planner.sim;

import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per model (by index) and parallel configuration: the stage latencies the simulator uses (overhead
 * factor applied, float32-rounded when asked) and the memory a replica costs. Computed once per
 * configuration and shared by every simulation of a search; thread-safe.
 */
public final class LatencyTable {
    private final List<ModelProfile> profiles;
    private final SimOptions options;
    private final ConcurrentHashMap<ParallelConfig, double[][]> batch1 = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ParallelConfig, long[]> memory = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ParallelConfig, BatchLatency[]> batched = new ConcurrentHashMap<>();

    /** Latencies of one model under one config for each profiled batch size (ascending). */
    public record BatchLatency(int[] batchSizes, double[][] stageLatency) {
    }

    public LatencyTable(List<ModelProfile> profilesByModel, SimOptions options) {
        this.profiles = List.copyOf(profilesByModel);
        this.options = options;
    }

    public int numModels() {
        return profiles.size();
    }

    public ModelProfile profile(int model) {
        return profiles.get(model);
    }

    public SimOptions options() {
        return options;
    }

    private double adjust(double latency, int stages) {
        double v = latency * (1 + options.stageOverheadPerStage() * stages);
        return options.float32() ? (double) (float) v : v;
    }

    /** Batch-1 stage latencies of {@code model} under {@code c}, or null when that config was not profiled. */
    public double[] stages(ParallelConfig c, int model) {
        return batch1.computeIfAbsent(c, this::computeBatch1)[model];
    }

    /** All models' batch-1 stage latencies under {@code c} (null entries: not profiled). Shared: do not modify. */
    public double[][] stagesAll(ParallelConfig c) {
        return batch1.computeIfAbsent(c, this::computeBatch1);
    }

    private double[][] computeBatch1(ParallelConfig c) {
        double[][] out = new double[profiles.size()][];
        for (int m = 0; m < out.length; m++) {
            Optional<ConfigProfile> p = profiles.get(m).config(c);
            if (p.isPresent() && p.get().hasBatch(1)) {
                double[] l = p.get().latency(1);
                for (int k = 0; k < l.length; k++) {
                    l[k] = adjust(l[k], l.length);
                }
                out[m] = l;
            }
        }
        return out;
    }

    /** Per-batch-size latencies (only sizes up to the options' max batch), or null if not profiled. */
    public BatchLatency batches(ParallelConfig c, int model) {
        return batched.computeIfAbsent(c, this::computeBatched)[model];
    }

    private BatchLatency[] computeBatched(ParallelConfig c) {
        BatchLatency[] out = new BatchLatency[profiles.size()];
        for (int m = 0; m < out.length; m++) {
            Optional<ConfigProfile> p = profiles.get(m).config(c);
            if (p.isEmpty() || !p.get().hasBatch(1)) {
                continue;
            }
            int[] sizes = p.get().batchSizes().stream().mapToInt(Integer::intValue)
                    .filter(b -> b <= options.maxBatch()).toArray();
            double[][] lat = new double[sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                double[] l = p.get().latency(sizes[i]);
                for (int k = 0; k < l.length; k++) {
                    l[k] = adjust(l[k], l.length);
                }
                lat[i] = l;
            }
            out[m] = new BatchLatency(sizes, lat);
        }
        return out;
    }

    /** Bytes one replica of {@code model} costs each device of a group running {@code c}: its largest stage. */
    public long memory(ParallelConfig c, int model) {
        return memoryAll(c)[model];
    }

    /** Per model: the replica memory under {@code c}, {@link Long#MAX_VALUE} where not profiled. */
    public long[] memoryAll(ParallelConfig c) {
        return memory.computeIfAbsent(c, cfg -> {
            long[] out = new long[profiles.size()];
            for (int m = 0; m < out.length; m++) {
                out[m] = profiles.get(m).config(cfg).map(ConfigProfile::maxStageWeightBytes).orElse(Long.MAX_VALUE);
            }
            return out;
        });
    }
}
