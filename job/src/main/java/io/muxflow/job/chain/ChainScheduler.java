package io.muxflow.job.chain;

import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.planner.plan.ChainDeployment;
import io.muxflow.planner.sim.chain.ChainRouter;
import io.muxflow.planner.sim.chain.ChainRouters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The chain dispatcher's logic for one LLM, apart from Flink: it admits generation jobs, routes them
 * with the planner's own router (JFFC: one central FIFO queue, a job goes to the fastest chain with
 * a free slot and a finished job hands its slot to the head of the queue; or Petals' per-job paths,
 * JSQ, SED), starts each with a prefill on its route's first server, follows its tokens and answers
 * it once it ends. The router is the one the chain simulator runs, so live and simulated routing
 * follow the same rule.
 *
 * <p>The jobs live in a {@link Store} (Flink state in the job); the router does not. After a restart
 * {@link #resume} rebuilds the router from the stored jobs in arrival order and starts each job that
 * gets a slot under its next attempt, prefilling its prompt and the tokens it already has: sampling
 * depends only on the seed, the step and the logits, so it goes on with the tokens an uninterrupted
 * run makes. Messages of earlier attempts are ignored (and their servers told to drop them).
 *
 * <p>Admission: the queue is bounded; a job that finds no free slot and the queue full is answered
 * REJECTED at once. A queued job whose deadline passes is answered TIMED_OUT; a running job whose
 * deadline passes gets TIMED_OUT with the tokens it has from the server that samples (or from
 * {@link #tick} when that server went silent).
 */
public final class ChainScheduler {
    /** The jobs, as Flink state. */
    public interface Store {
        ChainJob get(long seq);

        void put(ChainJob j);

        void remove(long seq);

        Iterable<ChainJob> all();
    }

    /** Where the dispatcher's messages go. */
    public interface Out {
        /** A RUN, RELEASE or CANCEL for a server. */
        void hop(ChainHop h);

        /** The final response of a job. */
        void reply(Reply r);

        /** A job's token at {@code step} was made (its first arrival; repeats are not passed on). */
        default void token(ChainJob j, int step) {
        }
    }

    /** Settings. */
    public record Options(String router, int queueCapacity, double petalsPenaltyS, long silenceGraceUs) {
    }

    private final ChainDeployment dep;
    private final Options options;
    private final Store store;
    private final ChainRouter router;
    private final int[][] planChains;
    private Out out;
    private long nowUs;
    private int waiting;
    private int running;
    private boolean resumed;
    private long nextSeq;
    /** The router names jobs by int; ids are handed out afresh each time it is rebuilt. */
    private final java.util.Map<Integer, Long> routerJobs = new java.util.HashMap<>();
    private final java.util.Map<Long, Integer> routerIds = new java.util.HashMap<>();
    private int nextRouterId;
    private int epoch;

    public ChainScheduler(ChainDeployment dep, Options options, Store store) {
        this.dep = dep;
        this.options = options;
        this.store = store;
        this.router = ChainRouters.create(options.router(), dep.instance(), dep.placement(), dep.serverChains(),
                options.petalsPenaltyS());
        this.planChains = new int[dep.chains().size()][];
        for (int i = 0; i < planChains.length; i++) {
            planChains[i] = dep.chains().get(i).servers();
        }
    }

    public String routerName() {
        return router.name();
    }

    /** Jobs waiting for a slot. */
    public int waiting() {
        return waiting;
    }

    /** Jobs on a chain now. */
    public int running() {
        return running;
    }

    /**
     * Rebuilds the router from the stored jobs (after a restart they all resume under a new attempt);
     * a no-op after the first call. New jobs are numbered from {@code epoch << 32}: the epoch grows with
     * every (re)start, so a job that arrives again after a restart (its request replayed from the
     * requests topic) never takes the number, and so the KV cache sessions, of a job from before it.
     */
    public void resume(long epoch, long now, Out o) {
        if (resumed) {
            return;
        }
        resumed = true;
        this.out = o;
        this.nowUs = now;
        this.epoch = (int) epoch;
        nextSeq = epoch << 32;
        List<ChainJob> jobs = new ArrayList<>();
        store.all().forEach(jobs::add);
        jobs.sort(Comparator.comparingLong(j -> j.seq));
        router.reset();
        routerJobs.clear();
        routerIds.clear();
        waiting = 0;
        running = 0;
        for (ChainJob j : jobs) {
            j.attempt++;
            j.route = -1;
            j.chain = -1;
            store.put(j);
            if (j.complete()) {
                finish(j, "OK", "");
                continue;
            }
            waiting++;
            router.arrive(routerId(j.seq), this::start);
        }
    }

    private int routerId(long seq) {
        int id = nextRouterId++;
        routerJobs.put(id, seq);
        routerIds.put(seq, id);
        return id;
    }

    private void forget(long seq) {
        Integer id = routerIds.remove(seq);
        if (id != null) {
            routerJobs.remove(id);
        }
    }

    /** A validated generation request arrives. */
    public void arrive(ServingRequest r, long now, Out o) {
        this.out = o;
        this.nowUs = now;
        ChainJob j = new ChainJob();
        j.seq = nextSeq++;
        j.requestId = r.requestId;
        j.model = r.model;
        j.encoding = r.encoding;
        j.clientSendUs = r.clientSendUs;
        j.deadlineUs = r.deadlineUs;
        j.receivedUs = r.receivedUs;
        j.planVersion = r.planVersion;
        j.attributes = r.attributes;
        j.prompt = r.tokens;
        j.maxNewTokens = r.maxNewTokens;
        j.temperature = r.temperature;
        j.topK = r.topK;
        j.seed = r.seed;
        j.stopTokens = r.stopTokens;
        j.dispatchedUs = now;
        store.put(j);
        waiting++;
        router.arrive(routerId(j.seq), this::start);
        ChainJob after = store.get(j.seq);
        if (after != null && !after.started() && waiting > options.queueCapacity()) {
            // it stays in the router's queue; when a slot reaches it, start() finds it gone and passes the slot on
            waiting--;
            store.remove(j.seq);
            out.reply(reply(after, "REJECTED", String.format("no free slot on any chain of '%s' and %d jobs already "
                    + "wait for one (the queue holds %d)", dep.model(), waiting, options.queueCapacity())));
        }
    }

    /** The router starts job {@code id} on {@code route}. */
    private void start(int id, int route, double meanServiceS) {
        Long seq = routerJobs.get(id);
        ChainJob j = seq == null ? null : store.get(seq);
        if (j == null || j.started()) {
            if (seq != null) {
                forget(seq);
            }
            router.complete(id, route, this::start); // answered while queued: pass the slot on
            return;
        }
        waiting--;
        running++;
        int[][] r = router.route(route);
        j.route = route;
        j.servers = r[0];
        j.blocks = r[1];
        j.chain = planChainIndex(r[0], r[1]);
        j.startedUs = nowUs;
        store.put(j);
        ChainHop h = hop(j, ChainHop.RUN, 0);
        h.step = j.tokens.length;
        h.position = 0;
        int[] in = Arrays.copyOf(j.prompt, j.prompt.length + j.tokens.length);
        System.arraycopy(j.tokens, 0, in, j.prompt.length, j.tokens.length);
        h.tokens = in;
        h.maxNewTokens = j.maxNewTokens;
        h.temperature = j.temperature;
        h.topK = j.topK;
        h.seed = j.seed;
        h.stopTokens = j.stopTokens;
        h.deadlineUs = j.deadlineUs;
        out.hop(h);
    }

    /** A message about job {@code j} for the {@code k}-th server of its route, under this dispatcher's epoch. */
    private ChainHop hop(ChainJob j, int kind, int k) {
        ChainHop h = new ChainHop();
        h.kind = kind;
        h.llm = dep.model();
        h.requestId = j.requestId;
        h.job = j.seq;
        h.attempt = j.attempt;
        h.epoch = epoch;
        h.chain = j.chain;
        h.servers = j.servers;
        h.blocks = j.blocks;
        h.hop = k;
        h.sentUs = nowUs;
        return h;
    }

    private int planChainIndex(int[] servers, int[] blocks) {
        for (int i = 0; i < planChains.length; i++) {
            if (Arrays.equals(planChains[i], servers) && Arrays.equals(dep.chains().get(i).blocks(), blocks)) {
                return i;
            }
        }
        return -1;
    }

    /** A TOKEN, DONE or REFUSED from a server. */
    public void event(ChainHop e, long now, Out o) {
        this.out = o;
        this.nowUs = now;
        ChainJob j = store.get(e.job);
        if (j == null || j.attempt != e.attempt || !j.started() || !j.requestId.equals(e.requestId)) {
            if (e.kind == ChainHop.TOKEN && (j == null || e.attempt < j.attempt)) {
                cancel(e); // a job (attempt) that ended or was resumed elsewhere still runs: stop it
            }
            return;
        }
        switch (e.kind) {
            case ChainHop.TOKEN -> {
                if (e.step == j.tokens.length) {
                    j.tokens = Arrays.copyOf(j.tokens, j.tokens.length + 1);
                    j.tokens[e.step] = e.token;
                    j.tokenTimesUs = Arrays.copyOf(j.tokenTimesUs, j.tokenTimesUs.length + 1);
                    j.tokenTimesUs[e.step] = e.eventUs;
                    store.put(j);
                    out.token(j, e.step);
                }
            }
            case ChainHop.DONE -> finish(j, e.status, e.detail);
            case ChainHop.REFUSED -> {
                release(j, ChainHop.CANCEL);
                finish(j, "REJECTED", "refused by a chain server: " + e.detail);
            }
            default -> {
            }
        }
    }

    /** Answers jobs whose deadline passed while queued, or long ago while their servers went silent. */
    public void tick(long now, Out o) {
        this.out = o;
        this.nowUs = now;
        List<ChainJob> late = new ArrayList<>();
        for (ChainJob j : store.all()) {
            if (!j.started() && now > j.deadlineUs || j.started() && now > j.deadlineUs + options.silenceGraceUs()) {
                late.add(j);
            }
        }
        late.sort(Comparator.comparingLong(j -> j.seq));
        for (ChainJob j : late) {
            if (!j.started()) {
                waiting--;
                store.remove(j.seq); // the router's queue still names it: start() passes its slot on
                out.reply(reply(j, "TIMED_OUT", String.format("waited %.1f ms in the queue for a free chain slot; the "
                        + "deadline passed before one was free", (now - j.dispatchedUs) / 1000.0)));
            } else {
                release(j, ChainHop.CANCEL);
                finish(j, "TIMED_OUT", String.format("no word from chain servers %s for %.1f ms past the deadline, "
                        + "after %d of %d tokens", Arrays.toString(j.servers), (now - j.deadlineUs) / 1000.0,
                        j.tokens.length, j.maxNewTokens));
            }
        }
    }

    private void finish(ChainJob j, String status, String detail) {
        store.remove(j.seq);
        out.reply(reply(j, status, detail));
        Integer id = routerIds.get(j.seq);
        if (j.started() && id != null) {
            running--;
            forget(j.seq);
            router.complete(id, j.route, this::start);
        }
    }

    private void release(ChainJob j, int kind) {
        for (int k = 0; k < j.servers.length; k++) {
            out.hop(hop(j, kind, k));
        }
    }

    private void cancel(ChainHop e) {
        for (int k = 0; k < e.servers.length; k++) {
            ChainHop h = e.follow(ChainHop.CANCEL);
            h.hop = k;
            h.sentUs = nowUs;
            out.hop(h);
        }
    }

    private Reply reply(ChainJob j, String status, String detail) {
        Reply p = new Reply();
        p.requestId = j.requestId;
        p.model = j.model;
        p.status = status;
        p.detail = detail == null ? "" : detail;
        p.encoding = j.encoding;
        p.clientSendUs = j.clientSendUs;
        p.deadlineUs = j.deadlineUs;
        p.receivedUs = j.receivedUs;
        p.dispatchedUs = j.dispatchedUs;
        p.planVersion = j.planVersion;
        p.attributes = j.attributes;
        p.tokens = j.tokens;
        p.tokenTimesUs = j.tokenTimesUs;
        p.firstTokenUs = j.tokenTimesUs.length > 0 ? j.tokenTimesUs[0] : 0;
        p.chain = j.chain;
        p.chainServers = j.servers;
        p.finishedUs = nowUs;
        return p;
    }
}
