package io.muxflow.job.chain;

import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.model.TokenSampler;
import io.muxflow.gpu.weights.WeightSource;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.plan.ChainDeployment;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One chain server of the chain path (server chain composition, Sun, He and Hou): it hosts the
 * contiguous block range GBP-CR placed on it (plus the embeddings when it holds block 0 and the LM
 * head when it holds block L-1) and, for each job, runs the sub-range of its blocks the job's chain
 * gives it: the whole prompt at the job's first visit (prefill), one token at every later one
 * (decode). It keeps the job's attention cache for exactly the blocks it ran, until the job ends.
 * The server that runs block L-1 samples the next token ({@link TokenSampler}) and sends it back to
 * the chain's first server, until {@code max_new_tokens}, a stop token or the deadline.
 *
 * <p>Cache is capped by the plan: a server may hold {@link ChainDeployment#cacheUnits} block-jobs (one
 * job's cache on one block), what GCA allocated from the memory its blocks leave. A job beyond that
 * waits briefly for a release already on its way, then is refused with the reason (a
 * {@link ChainHop#REFUSED} event), never an out-of-memory error.
 *
 * <p>Two backends: {@code cpu} runs the real blocks (one executor per block, each with its KV cache
 * sessions), one pass at a time as a device does; {@code emulated} ends each pass after the paper's
 * service model, (tau_c + tau_p x blocks) per job spread over the {@code tokens_per_job} passes it
 * was costed for, times a scale, with the passes of concurrent jobs overlapping as the paper's
 * servers serve their jobs together. The hop that brought a pass is real communication: the server
 * holds only what is left of the pass's time after it, so hop + hold is the paper's per-visit time.
 */
public final class ChainServer implements AutoCloseable {
    /** Where the server's messages go. */
    public interface Out {
        /** A RUN, RELEASE or CANCEL for a server (possibly this one), through the hop topic. */
        void hop(ChainHop h);

        /** A TOKEN, DONE or REFUSED for the dispatcher, through the event topic. */
        void event(ChainHop e);

        /**
         * Runs {@code r} on the server's thread {@code delayNanos} from now, without holding the thread
         * meanwhile: an emulated pass of one job does not delay the others (a GPU serves its jobs
         * together).
         */
        void after(long delayNanos, Runnable r);
    }

    /** Jobs whose end this server remembers, so that late messages of theirs start nothing. */
    static final int REMEMBERED_ENDS = 100_000;

    /** How long a prefill that finds the cache full waits for a release in flight (see waitForCache). */
    static final long CACHE_WAIT_NANOS = 5_000_000_000L;

    private final ChainDeployment dep;
    private final ChainDeployment.Server me;
    private final ModelConfig config;
    private final StageExecutor[] executors;
    private final double emulatedScale;
    private final int capacity;
    private final Map<Long, Session> sessions = new HashMap<>();
    /** job -> the position its next pass starts at here (what the session's cache holds). */
    private final Map<Long, Integer> nextPosition = new HashMap<>();
    /** job -> the highest attempt that ended here (released or cancelled). */
    private final Map<Long, Integer> ended = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Integer> e) {
            return size() > REMEMBERED_ENDS;
        }
    };
    private int used;
    /** Prefills that found the cache full, oldest first. */
    private final java.util.ArrayDeque<ChainHop> waiting = new java.util.ArrayDeque<>();
    private final Map<Integer, Integer> jobsPerChain = new HashMap<>();
    private final Map<Integer, Integer> peakPerChain = new HashMap<>();
    private long passes;
    private long cacheWaits;
    private int maxEpoch;

    /** One job's cache here. */
    private record Session(int attempt, int epoch, int chain, int firstBlock, int blocks) {
    }

    /**
     * @param factory the backend's executors (null for emulated)
     * @param emulatedScale for emulated: the time scale (1: the plan's seconds), else ignored
     */
    public ChainServer(ChainDeployment dep, int server, ModelConfig config, StageExecutorFactory factory,
            WeightSource weights, double emulatedScale) {
        this.dep = dep;
        this.me = dep.servers().get(server);
        this.config = config;
        this.emulatedScale = emulatedScale;
        this.capacity = dep.cacheUnits(server);
        this.executors = new StageExecutor[dep.blocks()];
        if (factory != null) {
            if (config.layers() != dep.blocks() || config.arch() != ModelConfig.Arch.GPT2) {
                throw new InvalidInputException("chains section of '" + dep.model() + "' has " + dep.blocks()
                        + " blocks, but the shape '" + dep.profile() + "' it loads is a " + config.arch() + " of "
                        + config.layers() + " layers: a chain LLM must be a GPT-2-style decoder of as many blocks");
            }
            for (int b = me.start(); b < me.start() + me.count(); b++) {
                executors[b] = factory.load(config, new StageSpec(b, dep.blocks(), b, b + 1), weights);
            }
        }
    }

    public int id() {
        return me.id();
    }

    /** Cache this server may hold, in block-jobs. */
    public int capacity() {
        return capacity;
    }

    /** Cache in use now, in block-jobs. */
    public int used() {
        return used;
    }

    /** Jobs in service here now on chain {@code chain}, and the most there ever were. */
    public int jobs(int chain) {
        return jobsPerChain.getOrDefault(chain, 0);
    }

    public Map<Integer, Integer> peakJobsPerChain() {
        return Map.copyOf(peakPerChain);
    }

    public long passes() {
        return passes;
    }

    /** Prefills that found the cache full and waited for a release (admitted later or refused). */
    public long cacheWaits() {
        return cacheWaits;
    }

    /** The executors' session of a job's attempt (never 0, which means "no cache"). */
    private static long session(long job, int attempt) {
        return (job + 1) << 10 | (attempt & 1023);
    }

    public void process(ChainHop h, Out out) {
        switch (h.kind) {
            case ChainHop.RUN -> run(h, out);
            case ChainHop.RELEASE, ChainHop.CANCEL -> end(h.job, h.attempt);
            default -> {
                // events are the dispatcher's
            }
        }
        admitWaiting(out);
    }

    /** Prefills waiting for cache, oldest first, as far as the cache freed since lets them in. */
    private void admitWaiting(Out out) {
        while (!waiting.isEmpty() && used + waiting.peek().blocks[waiting.peek().hop] <= capacity) {
            run(waiting.poll(), out);
        }
    }

    /**
     * A prefill finds the cache full. The dispatcher counts a job's cache free when the job's DONE
     * reaches it, but the RELEASE that frees it here comes from the job's last server over the hop
     * topic, another path: a next job's prefill can overtake it (seen after a TaskManager restart,
     * when the topics lag). So the prefill waits up to {@link #CACHE_WAIT_NANOS} for a release before
     * it is refused.
     */
    private void waitForCache(ChainHop h, Out out) {
        cacheWaits++;
        waiting.add(h);
        out.after(CACHE_WAIT_NANOS, () -> {
            if (waiting.remove(h) && !hasEnded(h)) {
                out.event(refused(h, String.format("server %d (%s) has no cache left for this job after waiting "
                        + "%d ms for a release: its allocation is %d block-jobs, %d in use, the job needs %d",
                        me.id(), me.name(), CACHE_WAIT_NANOS / 1_000_000, capacity, used, h.blocks[h.hop])));
            }
        });
    }

    private void run(ChainHop h, Out out) {
        if (h.epoch < maxEpoch) {
            return; // sent before the dispatcher's last restart: it resumed that job under the new epoch
        }
        if (h.epoch > maxEpoch) {
            // the dispatcher restarted and resumed all its jobs: every older cache here is garbage
            maxEpoch = h.epoch;
            for (Map.Entry<Long, Session> e : new java.util.ArrayList<>(sessions.entrySet())) {
                if (e.getValue().epoch() < maxEpoch) {
                    drop(e.getKey(), e.getValue());
                }
            }
        }
        if (hasEnded(h)) {
            return; // a late message of a job (attempt) that already ended here
        }
        Session s = sessions.get(h.job);
        if (s != null && s.attempt() > h.attempt) {
            return; // an older attempt's message: the job was resumed since
        }
        if (s != null && s.attempt() < h.attempt) {
            drop(h.job, s); // resumed under a new attempt: the old cache is garbage
            s = null;
        }
        int firstBlock = firstBlock(h);
        int n = h.blocks[h.hop];
        if (firstBlock < me.start() || firstBlock + n > me.start() + me.count()) {
            out.event(refused(h, "server " + me.id() + " hosts blocks [" + me.start() + ", " + (me.start() + me.count())
                    + "), the route asks it for [" + firstBlock + ", " + (firstBlock + n) + ")"));
            return;
        }
        if (s == null) {
            if (h.position != 0) {
                return; // a decode step for a cache this server does not have (lost with a restart)
            }
            if (used + n > capacity) {
                waitForCache(h, out);
                return;
            }
            s = new Session(h.attempt, h.epoch, h.chain, firstBlock, n);
            sessions.put(h.job, s);
            used += n;
            int now = jobsPerChain.merge(h.chain, 1, Integer::sum);
            peakPerChain.merge(h.chain, now, Math::max);
        }
        Integer next = nextPosition.get(h.job);
        if (next != null && h.position < next) {
            return; // a pass this cache already holds: a hop read again after a restart of this server's source
        }
        nextPosition.put(h.job, h.position + (h.tokens != null ? h.tokens.length : h.rows));
        passes++;
        if (executors[firstBlock] == null) {
            // emulated: the pass ends after the paper's service time, while other jobs' passes go on; the hop
            // that brought it here is the communication part of that time, so only the rest is held
            long passNanos = (long) ((me.commS() + me.blockS() * n) / dep.tokensPerJob() * emulatedScale * 1e9);
            long hopNanos = h.sentUs > 0 ? Math.max(0, Clocks.nowUs() - h.sentUs) * 1000 : 0;
            long holdNanos = Math.max(0, passNanos - hopNanos);
            out.after(holdNanos, () -> {
                Session now = sessions.get(h.job);
                if (now != null && now.attempt() == h.attempt) {
                    finishPass(h, firstBlock, n, null, out); // unless the job ended or was resumed meanwhile
                }
            });
            return;
        }
        float[] result;
        try {
            result = compute(h, firstBlock, n);
        } catch (RuntimeException e) {
            // an executor error ends this job only: FAILED with the reason, its caches freed everywhere
            ChainHop failed = h.follow(ChainHop.DONE);
            failed.status = "FAILED";
            failed.detail = "executor error on chain server " + me.id() + " (blocks " + firstBlock + ".."
                    + (firstBlock + n - 1) + "): " + e.getMessage();
            failed.sentUs = Clocks.nowUs();
            out.event(failed);
            releaseEverywhere(h, out, failed.sentUs);
            return;
        }
        finishPass(h, firstBlock, n, result, out);
    }

    /**
     * After this server's blocks of a pass: the rows go on to the next server, or (after block L-1) the
     * token is sampled, reported, and either sent back to the chain's first server or the job ends.
     */
    private void finishPass(ChainHop h, int firstBlock, int n, float[] result, Out out) {
        boolean last = firstBlock + n == dep.blocks();
        if (!last) {
            ChainHop next = h.follow(ChainHop.RUN);
            next.hop = h.hop + 1;
            next.data = result;
            next.rows = h.tokens != null ? h.tokens.length : h.rows;
            next.sentUs = Clocks.nowUs();
            out.hop(next);
            return;
        }
        int token = result == null ? emulatedToken(h) : TokenSampler.sample(result, 0, config.vocab(), h.temperature,
                h.topK, h.seed, h.step);
        long t = Clocks.nowUs();
        ChainHop ev = h.follow(ChainHop.TOKEN);
        ev.token = token;
        ev.eventUs = t;
        ev.sentUs = t;
        out.event(ev);
        int rows = h.tokens != null ? h.tokens.length : h.rows;
        boolean timedOut = t > h.deadlineUs;
        if (h.step + 1 >= h.maxNewTokens || h.isStop(token) || timedOut) {
            ChainHop done = h.follow(ChainHop.DONE);
            done.step = h.step + 1;
            done.status = timedOut && h.step + 1 < h.maxNewTokens && !h.isStop(token) ? "TIMED_OUT" : "OK";
            done.detail = done.status.equals("OK") ? "" : String.format(
                    "the deadline passed after %d of %d tokens (%.1f ms late)", h.step + 1, h.maxNewTokens,
                    (t - h.deadlineUs) / 1000.0);
            done.eventUs = t;
            done.sentUs = t;
            releaseEverywhere(h, out, t); // before DONE: the dispatcher may start a next job on this cache
            out.event(done);
            return;
        }
        ChainHop next = h.follow(ChainHop.RUN);
        next.hop = 0;
        next.step = h.step + 1;
        next.position = h.position + rows;
        next.tokens = new int[] {token};
        next.sentUs = Clocks.nowUs();
        out.hop(next);
    }

    /** Frees the job's cache here and tells the route's other servers to. */
    private void releaseEverywhere(ChainHop h, Out out, long nowUs) {
        for (int k = 0; k < h.servers.length; k++) {
            if (h.servers[k] == me.id()) {
                end(h.job, h.attempt);
            } else {
                ChainHop r = h.follow(ChainHop.RELEASE);
                r.hop = k;
                r.sentUs = nowUs;
                out.hop(r);
            }
        }
    }

    private static int firstBlock(ChainHop h) {
        int b = 0;
        for (int k = 0; k < h.hop; k++) {
            b += h.blocks[k];
        }
        return b;
    }

    /** Runs blocks [first, first + n) for the job's session; returns the rows out, or the logits after block L-1. */
    private float[] compute(ChainHop h, int first, int n) {
        long session = session(h.job, h.attempt);
        StageBatch x = h.tokens != null
                ? new StageBatch(java.util.List.of(new StageItem(session, h.position, h.tokens.length, h.tokens, null)), 0)
                : new StageBatch(java.util.List.of(StageItem.ofData(session, h.position, h.rows, h.data)),
                        config.hidden());
        for (int b = first; b < first + n; b++) {
            x = executors[b].run(x);
        }
        return x.item(0).data();
    }

    private int emulatedToken(ChainHop h) {
        return (int) (TokenSampler.uniform(h.seed, h.step) * config.vocab());
    }

    private static ChainHop refused(ChainHop h, String why) {
        ChainHop r = h.follow(ChainHop.REFUSED);
        r.status = "REFUSED";
        r.detail = why;
        r.sentUs = Clocks.nowUs();
        return r;
    }

    /** Whether the message's job attempt (or a later one) already ended here. */
    private boolean hasEnded(ChainHop h) {
        Integer endedAttempt = ended.get(h.job);
        return endedAttempt != null && h.attempt <= endedAttempt;
    }

    /** Ends a job (attempt) here: its cache is freed and its late messages are ignored. */
    private void end(long job, int attempt) {
        ended.merge(job, attempt, Math::max);
        Session s = sessions.get(job);
        if (s != null && s.attempt() <= attempt) {
            drop(job, s);
        }
    }

    private void drop(long job, Session s) {
        sessions.remove(job);
        nextPosition.remove(job);
        used -= s.blocks();
        jobsPerChain.merge(s.chain(), -1, Integer::sum);
        long session = session(job, s.attempt());
        for (int b = s.firstBlock(); b < s.firstBlock() + s.blocks(); b++) {
            if (executors[b] != null) {
                executors[b].release(session);
            }
        }
    }

    @Override
    public void close() {
        for (StageExecutor e : executors) {
            if (e != null) {
                e.close();
            }
        }
    }
}
