package io.muxflow.gpu.emulated;

import io.muxflow.gpu.backend.DeviceLedger;
import io.muxflow.gpu.backend.ExecutorException;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.weights.WeightSource;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The {@code emulated} backend: one emulated device (a stage with op degree {@code op} stands for op
 * devices held together). A stage holds the device for its profiled latency (the profile's stage
 * latency at the batch size, from the configuration with as many stages and the stage's op degree)
 * without computing, as Clockwork's and AlpaServe's emulators do, so one machine can
 * stand in for a large GPU cluster. Stages on the same device take turns. Weights are not read;
 * memory is accounted from the profile's weight bytes.
 */
public final class EmulatedBackend implements StageExecutorFactory {
    private final Function<String, ModelProfile> profiles;
    private final DeviceLedger ledger = new DeviceLedger();
    private final ReentrantLock device = new ReentrantLock(true);
    private final double timeScale;

    /**
     * @param profiles  profile by model name
     * @param timeScale multiplies every held latency (1: real time; 0: no waiting, for tests of plumbing)
     */
    public EmulatedBackend(Function<String, ModelProfile> profiles, double timeScale) {
        if (!(timeScale >= 0)) {
            throw new IllegalArgumentException("time scale must be >= 0");
        }
        this.profiles = profiles;
        this.timeScale = timeScale;
    }

    @Override
    public String backend() {
        return "emulated";
    }

    @Override
    public StageExecutor load(ModelConfig model, StageSpec stage, WeightSource ignored) {
        return load(model, stage, ignored, 1);
    }

    @Override
    public StageExecutor load(ModelConfig model, StageSpec stage, WeightSource ignored, int op) {
        ModelProfile p = profiles.apply(model.name());
        if (p == null) {
            throw new ExecutorException("emulated: no profile for model '" + model.name() + "'");
        }
        ParallelConfig want = ParallelConfig.of(op, stage.count());
        ConfigProfile cp = p.config(want).orElseThrow(() -> new ExecutorException("emulated: profile '" + p.model()
                + "' has no configuration " + want + " (has " + p.configs().stream().map(ConfigProfile::config)
                .map(ParallelConfig::toString).toList() + ")"));
        return new EmulatedStageExecutor(model, stage, cp, device, ledger, timeScale);
    }

    @Override
    public int maxOp() {
        return Integer.MAX_VALUE;
    }

    @Override
    public long deviceMemoryInUse() {
        return ledger.used();
    }
}
