package io.muxflow.job.config;

import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.weights.SafetensorsWeights;
import io.muxflow.gpu.weights.SyntheticWeights;
import io.muxflow.gpu.weights.WeightSource;
import io.muxflow.planner.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which model runs for a profile name: {@code NAME.safetensors} in the model store (its config
 * beside it); else a named shape with synthetic weights seeded by the name; for the emulated
 * backend, which computes nothing, a small stand-in shape when the name is no known shape.
 */
public final class ModelCatalog {
    private ModelCatalog() {
    }

    /** A stand-in for emulated models known only by their profile: deep enough for any pipeline, tiny rows. */
    public static ModelConfig emulatedStandIn(String name) {
        return new ModelConfig(name, ModelConfig.Arch.BERT, 64, 8, 1, 32, 30522, 4096, 2, 1e-12f,
                ModelConfig.Output.POOLED);
    }

    public static ModelConfig config(String profile, String backend, String modelStore) {
        Path file = file(profile, modelStore);
        if (file != null) {
            return ModelConfig.besides(file).withName(profile);
        }
        if (ModelConfig.named().containsKey(profile)) {
            return ModelConfig.named(profile);
        }
        if (backend.equals("emulated")) {
            return emulatedStandIn(profile);
        }
        throw new InvalidInputException("model profile '" + profile + "': no " + profile + ".safetensors in the model store ("
                + modelStore + ") and no named shape of that name; only the emulated backend can serve it");
    }

    /**
     * The shape a chain LLM's servers load: the named shape or safetensors model of that profile (a
     * GPT-2-style decoder); for the emulated backend, which computes nothing, a stand-in decoder of
     * {@code blocks} blocks when the name is no known shape.
     */
    public static ModelConfig chainConfig(String profile, String backend, String modelStore, int blocks) {
        if (backend.equals("emulated") && file(profile, modelStore) == null
                && !ModelConfig.named().containsKey(profile)) {
            return new ModelConfig(profile, ModelConfig.Arch.GPT2, blocks, 8, 1, 32, 50257, 4096, 0, 1e-5f,
                    ModelConfig.Output.LOGITS);
        }
        return config(profile, backend, modelStore);
    }

    public static WeightSource weights(String profile, String modelStore) {
        Path file = file(profile, modelStore);
        return file != null ? new SafetensorsWeights(file) : new SyntheticWeights(profile.hashCode());
    }

    /** The store's file of a profile; a name that would resolve outside the store's folder is refused. */
    private static Path file(String profile, String modelStore) {
        if (modelStore == null) {
            return null;
        }
        Path store = Path.of(modelStore).toAbsolutePath().normalize();
        Path p = store.resolve(profile + ".safetensors").normalize();
        if (!p.getParent().equals(store)) {
            throw new InvalidInputException("model profile '" + profile + "' is not a name: it resolves outside the "
                    + "model store " + store);
        }
        return Files.isRegularFile(p) ? p : null;
    }
}
