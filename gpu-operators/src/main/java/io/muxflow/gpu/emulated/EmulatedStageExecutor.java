package io.muxflow.gpu.emulated;

import io.muxflow.gpu.backend.DeviceLedger;
import io.muxflow.gpu.backend.ExecutorException;
import io.muxflow.gpu.backend.InputChecks;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.planner.profile.ConfigProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One emulated stage. Holding the device: it takes the device lock and parks until the stage's
 * profiled latency for the batch has passed. Output: a deterministic function of the input, so tests
 * can check what arrived: a first stage maps token t at position p, column j to
 * {@code ((31 t + 17 p + j) mod 1000) / 1000}; every later stage adds {@code 1/(index+1)} to each
 * value; a last stage emits per item the mean of its rows (pooled/logit widths are filled by
 * repeating that row) or the rows themselves for token output.
 */
final class EmulatedStageExecutor implements StageExecutor {
    private final ModelConfig config;
    private final StageSpec stage;
    private final ConfigProfile profile;
    private final ReentrantLock device;
    private final DeviceLedger ledger;
    private final double timeScale;
    private final long weightBytes;
    private boolean closed;

    EmulatedStageExecutor(ModelConfig config, StageSpec stage, ConfigProfile profile, ReentrantLock device,
            DeviceLedger ledger, double timeScale) {
        this.config = config;
        this.stage = stage;
        this.profile = profile;
        this.device = device;
        this.ledger = ledger;
        this.timeScale = timeScale;
        this.weightBytes = profile.weightBytes()[stage.index()];
        ledger.allocate(weightBytes);
    }

    /** The profiled latency of this stage for a batch of {@code n}: the smallest profiled batch >= n, else scaled up from the largest. */
    double latencyS(int n) {
        Integer best = null;
        for (int b : profile.batchSizes()) {
            if (b >= n && (best == null || b < best)) {
                best = b;
            }
        }
        if (best != null) {
            return profile.latency(best)[stage.index()];
        }
        int largest = profile.batchSizes().stream().mapToInt(Integer::intValue).max().orElse(1);
        return profile.latency(largest)[stage.index()] * n / largest;
    }

    @Override
    public String backend() {
        return "emulated";
    }

    @Override
    public ModelConfig model() {
        return config;
    }

    @Override
    public StageSpec stage() {
        return stage;
    }

    @Override
    public StageBatch run(StageBatch in) {
        if (closed) {
            throw new ExecutorException("emulated " + stage + " of " + config.name() + " is closed");
        }
        InputChecks.check(config, stage, in);
        long holdNanos = (long) (latencyS(in.size()) * timeScale * 1e9);
        device.lock();
        try {
            long until = System.nanoTime() + holdNanos;
            long left;
            while ((left = until - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
        } finally {
            device.unlock();
        }
        return compute(in);
    }

    private StageBatch compute(StageBatch in) {
        int h = config.hidden();
        List<StageItem> rows = new ArrayList<>();
        for (StageItem it : in.items()) {
            float[] d = new float[it.length() * h];
            for (int r = 0; r < it.length(); r++) {
                for (int j = 0; j < h; j++) {
                    float v = it.tokens() != null
                            ? Math.floorMod(31 * it.tokens()[r] + 17 * (it.position() + r) + j, 1000) / 1000f
                            : it.data()[r * h + j];
                    d[r * h + j] = v + 1f / (stage.index() + 1);
                }
            }
            rows.add(StageItem.ofData(it.session(), it.position(), it.length(), d));
        }
        if (!stage.last() || config.output() == ModelConfig.Output.TOKENS) {
            return new StageBatch(rows, h);
        }
        int width = config.outputWidth();
        List<StageItem> out = new ArrayList<>();
        for (StageItem it : rows) {
            float[] mean = new float[h];
            for (int r = 0; r < it.length(); r++) {
                for (int j = 0; j < h; j++) {
                    mean[j] += it.data()[r * h + j] / it.length();
                }
            }
            float[] o = new float[width];
            for (int j = 0; j < width; j++) {
                o[j] = mean[j % h];
            }
            out.add(StageItem.ofData(it.session(), it.position() + it.length() - 1, 1, o));
        }
        return new StageBatch(out, width);
    }

    @Override
    public long deviceMemoryBytes() {
        return closed ? 0 : weightBytes;
    }

    @Override
    public long weightBytes() {
        return weightBytes;
    }

    @Override
    public void release(long session) {
        // nothing cached
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            ledger.free(weightBytes);
        }
    }
}
