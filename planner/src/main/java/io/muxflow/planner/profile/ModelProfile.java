package io.muxflow.planner.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * All measured parallel configurations of one model (the profile format of ARCHITECTURE.md).
 *
 * @param model   the profile's name (a workload model refers to it by this name)
 * @param configs one entry per distinct parallel configuration
 */
public record ModelProfile(String model, List<ConfigProfile> configs) {

    public ModelProfile {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a profile needs a non-empty \"model\" name");
        }
        if (configs == null || configs.isEmpty()) {
            throw new IllegalArgumentException("profile '" + model + "' has no configs");
        }
        List<ConfigProfile> sorted = new ArrayList<>(configs);
        sorted.sort(Comparator.comparing(ConfigProfile::config));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).config().equals(sorted.get(i - 1).config())) {
                throw new IllegalArgumentException("profile '" + model + "' lists config "
                        + sorted.get(i).config() + " twice");
            }
        }
        configs = List.copyOf(sorted);
    }

    public Optional<ConfigProfile> config(ParallelConfig c) {
        for (ConfigProfile p : configs) {
            if (p.config().equals(c)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The latency of one request on the smallest configuration (one device when profiled): the
     * reference for SLO scales ("SLO = S x single-device latency").
     */
    public double singleDeviceLatency() {
        ConfigProfile best = null;
        for (ConfigProfile p : configs) {
            if (!p.hasBatch(1)) {
                continue;
            }
            if (best == null || p.config().devices() < best.config().devices()) {
                best = p;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("profile '" + model + "' has no batch-size-1 latencies");
        }
        return best.totalLatency(1);
    }

    /** Renamed copy: one profile can serve many model instances. */
    public ModelProfile renamed(String newName) {
        return new ModelProfile(newName, configs);
    }
}
