package io.muxflow.job.local;

import io.muxflow.gpu.cpu.CpuBackend;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.profiler.StageProfiler;
import io.muxflow.gpu.weights.SyntheticWeights;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.workload.ModelSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models of a local run: small transformers measured on this cpu, or emulated instances of given profiles. */
public final class LocalModels {
    /** The models (instance -> profile) and the profiles they use. */
    public record Models(List<ModelSpec> models, ProfileDatabase profiles) {
    }

    private LocalModels() {
    }

    /**
     * bert-tiny twice and gpt2-tiny once, profiled on this machine's cpu for pp 1 and 2 at {@code seq}
     * tokens, at batch 1 and the powers of two up to {@code maxBatch}.
     */
    public static Models cpu(int seq, int maxBatch, PrintWriter log) {
        List<Integer> batches = new ArrayList<>();
        for (int b = 1; b <= maxBatch; b *= 2) {
            batches.add(b);
        }
        Map<String, String> instances = new LinkedHashMap<>();
        instances.put("bert-a", "bert-tiny");
        instances.put("bert-b", "bert-tiny");
        instances.put("gpt-c", "gpt2-tiny");
        List<ModelProfile> profiles = new ArrayList<>();
        for (String shape : List.of("bert-tiny", "gpt2-tiny")) {
            log.printf("profiling %s on this cpu (%d tokens, pp 1 and 2, batch %s)...%n", shape, seq, batches);
            log.flush();
            profiles.add(StageProfiler.profile(shape, ModelConfig.named(shape), new SyntheticWeights(shape.hashCode()),
                    new CpuBackend(1), new StageProfiler.Options(List.of(1, 2), batches, seq, 3, 7, 0), (w, d, t) -> { }));
        }
        List<ModelSpec> models = new ArrayList<>();
        instances.forEach((m, p) -> models.add(new ModelSpec(m, p, Double.NaN, Double.NaN, Double.NaN)));
        return new Models(models, new ProfileDatabase(profiles));
    }

    /** {@code count} instances m0..m(count-1), round-robin over the profiles in the given files. */
    public static Models emulated(List<Path> files, int count) {
        ProfileDatabase db = ProfileDatabase.load(files);
        List<String> names = db.all().stream().map(ModelProfile::model).toList();
        List<ModelSpec> models = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            models.add(new ModelSpec("m" + i, names.get(i % names.size()), Double.NaN, Double.NaN, Double.NaN));
        }
        return new Models(models, db);
    }
}
