package io.muxflow.job.loadgen;

import io.muxflow.schema.InferenceRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Makes the requests a load generator sends: random token ids of a fixed length, an SLO, an id. */
public final class RequestFactory {
    private final String runId;
    private final int tokens;
    private final int vocab;
    private final SplittableRandom rng;
    private long seq;

    public RequestFactory(String runId, int tokens, int vocab, long seed) {
        if (tokens < 1 || vocab < 2) {
            throw new IllegalArgumentException("tokens must be >= 1 and vocab >= 2");
        }
        this.runId = runId;
        this.tokens = tokens;
        this.vocab = vocab;
        this.rng = new SplittableRandom(seed);
    }

    public synchronized InferenceRequest next(String model, long sendUs, long sloUs) {
        return next(model, sendUs, sloUs, 0);
    }

    /** With {@code maxNewTokens} > 0: a generation request (greedy). */
    public synchronized InferenceRequest next(String model, long sendUs, long sloUs, int maxNewTokens) {
        List<Integer> t = new ArrayList<>(tokens);
        for (int i = 0; i < tokens; i++) {
            t.add(1 + rng.nextInt(vocab - 1));
        }
        // every field given: the builder's default-value copies cost a load generator several KB a request
        return new InferenceRequest(runId + "-" + (seq++), model, sendUs, sloUs, null, t, null, Map.of(), maxNewTokens, 0f,
                0, 0L, List.of());
    }

    public String runId() {
        return runId;
    }
}
