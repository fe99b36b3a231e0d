package io.muxflow.job.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.gpu.cpu.CpuBackend;
import io.muxflow.job.config.ModelCatalog;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.planner.plan.ChainDeployment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The chain path's logic without Flink or Kafka: the scheduler and three real cpu chain servers,
 * their messages passed in order through in-memory queues (what the hop and event topics carry).
 */
class ChainLoopTest {
    private final List<ChainServer> servers = new ArrayList<>();

    @AfterEach
    void close() {
        servers.forEach(ChainServer::close);
    }

    /** The servers, the scheduler and the queues between them. */
    final class Loop implements ChainScheduler.Out, ChainServer.Out {
        final ChainDeployment dep;
        final ChainScheduler scheduler;
        final Map<Long, ChainJob> state = new HashMap<>();
        final ArrayDeque<ChainHop> hops = new ArrayDeque<>();
        final ArrayDeque<ChainHop> events = new ArrayDeque<>();
        final List<Reply> replies = new ArrayList<>();
        final List<ChainHop> seenHops = new ArrayList<>();
        /** What the token stream gets: "request:step:token". */
        final List<String> streamed = new ArrayList<>();

        Loop(int capacity, String router) {
            this(ChainFixtures.deployment(capacity), ChainFixtures.config(),
                    ModelCatalog.weights(ChainFixtures.LLM, null), router);
        }

        Loop(ChainDeployment d, io.muxflow.gpu.model.ModelConfig config, io.muxflow.gpu.weights.WeightSource weights,
                String router) {
            this(d, config, weights, router, new CpuBackend(1));
        }

        Loop(ChainDeployment d, io.muxflow.gpu.model.ModelConfig config, io.muxflow.gpu.weights.WeightSource weights,
                String router, io.muxflow.gpu.backend.StageExecutorFactory backend) {
            dep = d;
            for (int j = 0; j < dep.servers().size(); j++) {
                servers.add(new ChainServer(dep, j, config, backend, weights, 1.0));
            }
            scheduler = new ChainScheduler(dep, new ChainScheduler.Options(router, 4, 10, 5_000_000), store());
            scheduler.resume(1, 0, this);
        }

        ChainScheduler.Store store() {
            return new ChainScheduler.Store() {
                @Override
                public ChainJob get(long seq) {
                    return state.get(seq);
                }

                @Override
                public void put(ChainJob j) {
                    state.put(j.seq, j);
                }

                @Override
                public void remove(long seq) {
                    state.remove(seq);
                }

                @Override
                public Iterable<ChainJob> all() {
                    return new ArrayList<>(state.values());
                }
            };
        }

        @Override
        public void hop(ChainHop h) {
            // a message's bytes, as the topic carries them
            hops.add(ChainHopCodec.decode(ChainHopCodec.encode(h)));
        }

        @Override
        public void event(ChainHop e) {
            events.add(ChainHopCodec.decode(ChainHopCodec.encode(e)));
        }

        @Override
        public void reply(Reply r) {
            replies.add(r);
        }

        @Override
        public void token(ChainJob j, int step) {
            streamed.add(j.requestId + ":" + step + ":" + j.tokens[step]);
        }

        @Override
        public void after(long delayNanos, Runnable r) {
            r.run(); // the cpu servers never defer; emulated ones are not in this test
        }

        /** Delivers messages until none is left. */
        void drain() {
            drain(false, false);
        }

        /**
         * As {@link #drain()}, delivering each hop to its server twice or each event to the scheduler
         * twice (a second copy through the codec, as a re-read topic record would come).
         */
        void drain(boolean hopsTwice, boolean eventsTwice) {
            while (!hops.isEmpty() || !events.isEmpty()) {
                ChainHop h = hops.poll();
                if (h != null) {
                    seenHops.add(h);
                    servers.get(h.targetServer()).process(h, this);
                    if (hopsTwice) {
                        servers.get(h.targetServer()).process(ChainHopCodec.decode(ChainHopCodec.encode(h)), this);
                    }
                }
                ChainHop e = events.poll();
                if (e != null) {
                    long now = System.currentTimeMillis() * 1000;
                    scheduler.event(e, now, this);
                    if (eventsTwice) {
                        scheduler.event(ChainHopCodec.decode(ChainHopCodec.encode(e)), now, this);
                    }
                }
            }
        }
    }

    static ServingRequest request(String id, int[] prompt, int n, float temperature, int topK, long seed) {
        ServingRequest r = new ServingRequest();
        r.requestId = id;
        r.model = ChainFixtures.LLM;
        r.tokens = prompt;
        r.maxNewTokens = n;
        r.temperature = temperature;
        r.topK = topK;
        r.seed = seed;
        r.clientSendUs = System.currentTimeMillis() * 1000;
        r.deadlineUs = r.clientSendUs + 600_000_000L;
        return r;
    }

    @Test
    void tokensThroughThreeUnevenServersEqualTheUnsplitModels() {
        Loop loop = new Loop(2, "jffc");
        int[] prompt = {464, 2068, 7586, 21831, 18045};
        loop.scheduler.arrive(request("greedy", prompt, 8, 0f, 0, 0), 0, loop);
        loop.scheduler.arrive(request("sampled", prompt, 8, 0.8f, 20, 7), 0, loop);
        loop.drain();
        assertThat(loop.replies).hasSize(2);
        Map<String, Reply> by = new HashMap<>();
        loop.replies.forEach(r -> by.put(r.requestId, r));
        assertThat(by.get("greedy").status).isEqualTo("OK");
        assertThat(by.get("greedy").tokens).containsExactly(ChainFixtures.reference(prompt, 8, 0f, 0, 0, new int[0]));
        assertThat(by.get("sampled").tokens).containsExactly(ChainFixtures.reference(prompt, 8, 0.8f, 20, 7, new int[0]));
        assertThat(by.get("greedy").tokens).isNotEqualTo(by.get("sampled").tokens);
        assertThat(by.get("greedy").chainServers).containsExactly(0, 1, 2);
        assertThat(by.get("greedy").chain).isZero();
        assertThat(by.get("greedy").tokenTimesUs).hasSize(8);
        // every server released the jobs' caches
        servers.forEach(s -> assertThat(s.used()).as("server %d cache", s.id()).isZero());
    }

    @Test
    void aChainNeverHoldsMoreJobsThanItsCapacityAndTheRestWait() {
        Loop loop = new Loop(2, "jffc");
        int[] prompt = {1, 2, 3};
        for (int i = 0; i < 5; i++) {
            loop.scheduler.arrive(request("j" + i, prompt, 3, 0f, 0, 0), 0, loop);
        }
        assertThat(loop.scheduler.waiting()).isEqualTo(3);
        assertThat(loop.scheduler.running()).isEqualTo(2);
        loop.drain();
        assertThat(loop.scheduler.running()).isZero();
        assertThat(loop.scheduler.waiting()).isZero();
        assertThat(loop.replies).hasSize(5).allSatisfy(r -> assertThat(r.status).isEqualTo("OK"));
        // from the servers' own records: at most 2 jobs of chain 0 at a time on each
        servers.forEach(s -> assertThat(s.peakJobsPerChain().get(0)).as("server %d", s.id()).isEqualTo(2));
    }

    @Test
    void aFullQueueRejectsAtOnceWithTheReason() {
        Loop loop = new Loop(1, "jffc");
        for (int i = 0; i < 7; i++) {
            loop.scheduler.arrive(request("q" + i, new int[] {5}, 2, 0f, 0, 0), 0, loop);
        }
        // 1 runs, 4 wait (the queue holds 4), 2 are rejected
        assertThat(loop.replies).extracting(r -> r.requestId).containsExactly("q5", "q6");
        assertThat(loop.replies.get(0).status).isEqualTo("REJECTED");
        assertThat(loop.replies.get(0).detail).contains("no free slot").contains("queue holds 4");
        loop.drain();
        assertThat(loop.replies).hasSize(7);
        assertThat(loop.replies.stream().filter(r -> r.status.equals("OK")).count()).isEqualTo(5);
    }

    @Test
    void aResumedJobMakesTheTokensOfAnUninterruptedRun() {
        int[] prompt = {10, 20, 30, 40};
        Loop loop = new Loop(2, "jffc");
        loop.scheduler.arrive(request("r", prompt, 6, 0.9f, 0, 42), 0, loop);
        // run until 3 tokens are known to the dispatcher, then "crash": the servers lose their caches and
        // the hops in flight are replayed to a new dispatcher resumed from the (copied) job state
        while (loop.state.values().stream().allMatch(j -> j.tokens.length < 3)) {
            ChainHop h = loop.hops.poll();
            if (h != null) {
                servers.get(h.targetServer()).process(h, loop);
            }
            ChainHop e = loop.events.poll();
            if (e != null) {
                loop.scheduler.event(e, 0, loop);
            }
        }
        List<ChainHop> inFlight = new ArrayList<>(loop.hops);
        servers.forEach(ChainServer::close);
        servers.clear();
        Loop after = new Loop(2, "jffc");
        after.state.putAll(loop.state);
        after.hops.addAll(inFlight); // older-attempt messages, replayed from the topic
        ChainScheduler resumed = new ChainScheduler(after.dep, new ChainScheduler.Options("jffc", 4, 10, 5_000_000),
                after.store());
        resumed.resume(2, 0, after);
        after.events.clear();
        while (!after.hops.isEmpty() || !after.events.isEmpty()) {
            ChainHop h = after.hops.poll();
            if (h != null) {
                servers.get(h.targetServer()).process(h, after);
            }
            ChainHop e = after.events.poll();
            if (e != null) {
                resumed.event(e, 0, after);
            }
        }
        assertThat(after.replies).hasSize(1);
        assertThat(after.replies.get(0).status).isEqualTo("OK");
        assertThat(after.replies.get(0).tokens).containsExactly(ChainFixtures.reference(prompt, 6, 0.9f, 0, 42, new int[0]));
    }

    @Test
    void eachTokenIsStreamedOnceInStepOrderEvenWhenItsEventComesTwice() {
        int[] prompt = {10, 20, 30, 40};
        Loop loop = new Loop(2, "jffc");
        loop.scheduler.arrive(request("r", prompt, 5, 0.7f, 0, 7), 0, loop);
        loop.drain(false, true);
        assertThat(loop.replies).hasSize(1);
        int[] tokens = loop.replies.get(0).tokens;
        assertThat(tokens).containsExactly(ChainFixtures.reference(prompt, 5, 0.7f, 0, 7, new int[0]));
        List<String> expected = new ArrayList<>();
        for (int s = 0; s < tokens.length; s++) {
            expected.add("r:" + s + ":" + tokens[s]);
        }
        assertThat(loop.streamed).containsExactlyElementsOf(expected);
    }

    @Test
    void aHopReadTwiceChangesNothing() {
        // a chain server's hop source restarted alone re-reads hops it already ran: each one is read twice here
        int[] prompt = {10, 20, 30, 40};
        Loop loop = new Loop(2, "jffc");
        loop.scheduler.arrive(request("r", prompt, 5, 0.7f, 0, 7), 0, loop);
        loop.drain(true, false);
        assertThat(loop.replies).hasSize(1);
        assertThat(loop.replies.get(0).status).as(loop.replies.get(0).detail).isEqualTo("OK");
        assertThat(loop.replies.get(0).tokens).containsExactly(ChainFixtures.reference(prompt, 5, 0.7f, 0, 7, new int[0]));
    }

    @Test
    void emulatedServersHoldEachPassForThePapersShareAndOverlapJobs() {
        ChainDeployment dep = ChainFixtures.deployment(2);
        ChainServer s0 = new ChainServer(dep, 0, ChainFixtures.config(), null, null, 0.5);
        List<Long> delays = new ArrayList<>();
        List<Runnable> pending = new ArrayList<>();
        List<ChainHop> hops = new ArrayList<>();
        ChainServer.Out out = new ChainServer.Out() {
            @Override
            public void hop(ChainHop h) {
                hops.add(h);
            }

            @Override
            public void event(ChainHop e) {
            }

            @Override
            public void after(long delayNanos, Runnable r) {
                delays.add(delayNanos);
                pending.add(r);
            }
        };
        for (int job = 1; job <= 2; job++) {
            s0.process(prefill(job), out);
        }
        // both jobs' passes are pending at once: the server did not wait for the first
        assertThat(pending).hasSize(2);
        assertThat(hops).isEmpty();
        // (tau_c + tau_p x 5 blocks) / 8 tokens per job x scale 0.5, from the fixture's server 0 (these hops
        // carry no send time, so no hop is taken off)
        ChainDeployment.Server me = dep.servers().get(0);
        long expected = (long) ((me.commS() + me.blockS() * 5) / 8 * 0.5 * 1e9);
        assertThat(delays).containsOnly(expected);
        // a hop that took 0.5 ms is the pass's communication: 0.5 ms less is held
        ChainHop late = prefill(3);
        late.tokens = new int[] {1};
        late.sentUs = io.muxflow.job.model.Clocks.nowUs() - 500;
        ChainServer s1 = new ChainServer(dep, 0, ChainFixtures.config(), null, null, 0.5);
        delays.clear();
        s1.process(late, out);
        assertThat(delays.get(0)).isBetween(expected - 1_000_000, expected - 500_000);
        pending.remove(pending.size() - 1);
        pending.forEach(Runnable::run);
        assertThat(hops).extracting(h -> h.hop).containsExactly(1, 1);
        assertThat(s0.used()).isEqualTo(10);
    }

    /**
     * The dispatcher starts a job on cache it counts free when the last job's DONE reaches it; the
     * RELEASE that frees that cache on an earlier server travels another path and may come later. A
     * prefill that finds the cache full waits for it (and runs when it comes); with no release it is
     * refused after the wait, with the reason.
     */
    @Test
    void aPrefillThatFindsTheCacheFullWaitsForAReleaseThenIsRefused() {
        ChainDeployment dep = ChainFixtures.deployment(2);
        ChainServer s0 = new ChainServer(dep, 0, ChainFixtures.config(), null, null, 0.5);
        List<Long> delays = new ArrayList<>();
        List<Runnable> timers = new ArrayList<>();
        List<ChainHop> events = new ArrayList<>();
        ChainServer.Out out = new ChainServer.Out() {
            @Override
            public void hop(ChainHop h) {
            }

            @Override
            public void event(ChainHop e) {
                events.add(e);
            }

            @Override
            public void after(long delayNanos, Runnable r) {
                delays.add(delayNanos);
                timers.add(r);
            }
        };
        int fit = s0.capacity() / 5;
        assertThat(fit).as("jobs of 5 blocks that fit server 0").isPositive();
        for (int job = 1; job <= fit; job++) {
            s0.process(prefill(job), out);
        }
        assertThat(s0.used()).isEqualTo(5 * fit);
        delays.clear();
        timers.clear();
        s0.process(prefill(fit + 1), out);
        assertThat(events).as("not refused at once").isEmpty();
        assertThat(delays).containsExactly(ChainServer.CACHE_WAIT_NANOS);
        Runnable expiry = timers.get(0);
        ChainHop release = new ChainHop();
        release.kind = ChainHop.RELEASE;
        release.llm = ChainFixtures.LLM;
        release.job = 1;
        release.epoch = 1;
        s0.process(release, out);
        assertThat(timers).as("the waiting prefill's pass started").hasSize(2);
        assertThat(s0.used()).isEqualTo(5 * fit);
        expiry.run();
        assertThat(events).as("admitted: its wait's end refuses nothing").isEmpty();
        // no release comes for the next one: refused when the wait ends
        s0.process(prefill(fit + 2), out);
        timers.get(timers.size() - 1).run();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.kind).isEqualTo(ChainHop.REFUSED);
            assertThat(e.requestId).isEqualTo("w" + (fit + 2));
            assertThat(e.detail).contains("no cache left for this job after waiting 5000 ms for a release");
        });
    }

    /** A job's first visit to server 0 of a [0, 5) [5, 9) [9, 12) route. */
    private static ChainHop prefill(long job) {
        ChainHop h = new ChainHop();
        h.kind = ChainHop.RUN;
        h.llm = ChainFixtures.LLM;
        h.requestId = "w" + job;
        h.job = job;
        h.epoch = 1;
        h.servers = new int[] {0, 1, 2};
        h.blocks = new int[] {5, 4, 3};
        h.tokens = new int[] {1, 2};
        h.maxNewTokens = 4;
        h.deadlineUs = Long.MAX_VALUE;
        return h;
    }

    /**
     * Agreement with an implementation muxflow did not write: tools/transformer_reference.py's 6-block
     * GPT-2 (numpy, float64, the whole prefix recomputed at every step, no cache), split over three
     * servers as [0, 3), [3, 5), [5, 6): the first greedy tokens match, and the first step's logits
     * agree within float32 rounding.
     */
    @Test
    void greedyTokensOverAChainAgreeWithTheNumpyReference() throws Exception {
        agreesWithTheNumpyReference(new CpuBackend(1));
    }

    /** The same chain on the cuda backend's servers (skipped, with the reason, without a usable GPU). */
    @Test
    void onCudaServersTooWhereAGpuIsUsable() throws Exception {
        var st = io.muxflow.gpu.cuda.CudaAvailability.probe();
        org.junit.jupiter.api.Assumptions.assumeTrue(st.ok(), () -> "no usable GPU: " + st.reason());
        agreesWithTheNumpyReference(new io.muxflow.gpu.cuda.CudaBackend(0));
    }

    private void agreesWithTheNumpyReference(io.muxflow.gpu.backend.StageExecutorFactory backend) throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("..", "gpu-operators", "src", "test", "resources", "reference");
        java.nio.file.Path file = dir.resolve("gpt2-chain.safetensors");
        io.muxflow.gpu.model.ModelConfig c = io.muxflow.gpu.model.ModelConfig.besides(file);
        List<ChainDeployment.Server> sv = List.of(new ChainDeployment.Server(0, "a", 6, 0.01, 0.001, 0, 3),
                new ChainDeployment.Server(1, "b", 4, 0.01, 0.001, 3, 2), new ChainDeployment.Server(2, "c", 2, 0.01,
                        0.001, 5, 1));
        ChainDeployment dep = new ChainDeployment("ref", c.name(), 6, 1.0, 0.5, 6, sv, List.of(
                new ChainDeployment.Chain(new int[] {0, 1, 2}, new int[] {3, 2, 1}, 0.1, 2)));
        Loop loop = new Loop(dep, c, new io.muxflow.gpu.weights.SafetensorsWeights(file), "jffc", backend);
        var expected = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                dir.resolve("gpt2-chain-expected.json").toFile());
        for (int i = 0; i < expected.size(); i++) {
            var e = expected.get(i);
            int[] prompt = new int[e.get("prompt").size()];
            for (int k = 0; k < prompt.length; k++) {
                prompt[k] = e.get("prompt").get(k).asInt();
            }
            ServingRequest r = request("ref-" + i, prompt, e.get("greedy").size(), 0f, 0, 0);
            r.model = "ref";
            loop.scheduler.arrive(r, 0, loop);
        }
        loop.drain();
        assertThat(loop.replies).hasSize(expected.size());
        for (Reply r : loop.replies) {
            int i = Integer.parseInt(r.requestId.substring(4));
            var want = expected.get(i).get("greedy");
            assertThat(r.status).isEqualTo("OK");
            assertThat(r.tokens).as(r.requestId).hasSize(want.size());
            for (int k = 0; k < want.size(); k++) {
                assertThat(r.tokens[k]).as("%s token %d", r.requestId, k).isEqualTo(want.get(k).asInt());
            }
        }
        // the first step's logits, through the unsplit executor on the same weights, within float32 rounding
        try (var whole = backend.load(c, io.muxflow.gpu.model.StageSpec.whole(c),
                new io.muxflow.gpu.weights.SafetensorsWeights(file))) {
            var e = expected.get(0);
            float[] logits = whole.run(io.muxflow.gpu.model.StageBatch.tokens(List.of(
                    io.muxflow.gpu.model.StageItem.ofTokens(5, 9, 77)))).item(0).data();
            for (int v = 0; v < c.vocab(); v++) {
                assertThat((double) logits[v]).isCloseTo(e.get("first_logits").get(v).asDouble(),
                        org.assertj.core.data.Offset.offset(2e-4));
            }
        }
    }
}
