package io.muxflow.gpu.cpu;

import io.muxflow.gpu.backend.DeviceLedger;
import io.muxflow.gpu.backend.ExecutorException;
import io.muxflow.gpu.backend.InputChecks;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.model.KvCache;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.model.StageWeights;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code cpu} backend: the transformer math in Java on the JVM heap, bit-for-bit reproducible
 * (see {@link Gemm}); multi-threaded only when constructed with more than one thread.
 */
public final class CpuStageExecutor implements StageExecutor {
    /** Sessions beyond this per stage are refused rather than growing the heap without bound. */
    public static final int MAX_SESSIONS = 4096;
    private final StageWeights weights;
    private final int threads;
    private final DeviceLedger ledger;
    private final Map<Long, KvCache> sessions = new HashMap<>();
    private final long weightBytes;
    private long cacheBytes;
    private boolean closed;

    CpuStageExecutor(StageWeights weights, int threads, DeviceLedger ledger) {
        this.weights = weights;
        this.threads = threads;
        this.ledger = ledger;
        this.weightBytes = weights.bytes();
        ledger.allocate(weightBytes);
    }

    @Override
    public String backend() {
        return "cpu";
    }

    @Override
    public ModelConfig model() {
        return weights.config();
    }

    @Override
    public StageSpec stage() {
        return weights.stage();
    }

    @Override
    public synchronized StageBatch run(StageBatch input) {
        if (closed) {
            throw new ExecutorException("cpu " + stage() + " of " + model().name() + " is closed");
        }
        InputChecks.check(model(), stage(), input);
        KvCache[] caches = new KvCache[input.size()];
        if (model().arch() == ModelConfig.Arch.GPT2) {
            for (int i = 0; i < input.size(); i++) {
                StageItem it = input.item(i);
                if (it.session() == 0) {
                    continue;
                }
                KvCache c = sessions.get(it.session());
                int have = c == null ? 0 : c.tokens();
                if (it.position() != have) {
                    throw new ExecutorException(model().name() + " " + stage() + ": item " + i + ": session "
                            + it.session() + " holds " + have + " tokens, but the item starts at position " + it.position());
                }
                if (c == null) {
                    if (sessions.size() >= MAX_SESSIONS) {
                        throw new ExecutorException(model().name() + " " + stage() + ": too many open sessions ("
                                + MAX_SESSIONS + "); release finished ones");
                    }
                    c = new KvCache(weights.layers().size(), model().hidden());
                    sessions.put(it.session(), c);
                }
                caches[i] = c;
            }
        }
        StageBatch out = CpuTransformer.forward(weights, input, i -> caches[i], threads);
        long now = 0;
        for (KvCache c : sessions.values()) {
            now += c.bytes();
        }
        ledger.allocate(now - cacheBytes);
        cacheBytes = now;
        return out;
    }

    @Override
    public synchronized long deviceMemoryBytes() {
        return closed ? 0 : weightBytes + cacheBytes;
    }

    @Override
    public long weightBytes() {
        return weightBytes;
    }

    @Override
    public synchronized void release(long session) {
        KvCache c = sessions.remove(session);
        if (c != null) {
            ledger.free(c.bytes());
            cacheBytes -= c.bytes();
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            ledger.free(weightBytes + cacheBytes);
            sessions.clear();
            cacheBytes = 0;
        }
    }
}
