package io.muxflow.planner;

import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small hand-made profiles for tests. */
public final class TestProfiles {
    private TestProfiles() {
    }

    /** A pp=1 config with one latency and weight. */
    public static ConfigProfile single(double latency, long weight) {
        return new ConfigProfile(ParallelConfig.of(1, 1), Map.of(1, new double[] {latency}), new long[] {weight},
                Map.of());
    }

    /** A pipeline config with the given per-stage latencies and the same weight per stage. */
    public static ConfigProfile pipeline(double[] latencies, long weightPerStage) {
        long[] w = new long[latencies.length];
        java.util.Arrays.fill(w, weightPerStage);
        return new ConfigProfile(ParallelConfig.of(1, latencies.length), Map.of(1, latencies), w, Map.of());
    }

    public static ModelProfile model(String name, ConfigProfile... configs) {
        return new ModelProfile(name, List.of(configs));
    }

    public static List<ModelProfile> copies(ModelProfile p, int n) {
        List<ModelProfile> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(p);
        }
        return out;
    }

    /** ../shared/profiles/alpaserve-published.json from a module directory. */
    public static Path publishedProfiles() {
        for (Path p : List.of(Path.of("../../shared/profiles/alpaserve-published.json"),
                Path.of("../shared/profiles/alpaserve-published.json"))) {
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IllegalStateException("../shared/profiles/alpaserve-published.json not found beside the project");
    }
}
