package io.muxflow.job.chain;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.dispatch.ServingPlan;
import io.muxflow.job.model.Clocks;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The chain dispatcher (keyed by LLM): generation requests in, the servers' tokens and job ends in
 * (through the event topic), final responses out, work for the servers to {@link #HOPS} (through
 * the hop topic) and each new token to {@link #TOKENS} (the token stream). The jobs are keyed state (prompt, tokens so far, route, attempt) and survive a
 * restart; the routing logic is {@link ChainScheduler}, rebuilt from that state when the operator
 * (re)opens, which resumes every job in flight under its next attempt.
 */
public final class ChainDispatcherOperator extends KeyedCoProcessFunction<String, ServingRequest, ChainHop, Reply> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<ChainHop> HOPS = new OutputTag<>("chain-hops") {
        private static final long serialVersionUID = 1L;
    };
    /** Each token as it is made, for the token stream (when {@code muxflow.chain.stream-tokens} is on). */
    public static final OutputTag<StreamedToken> TOKENS = new OutputTag<>("chain-tokens") {
        private static final long serialVersionUID = 1L;
    };
    /** How often queued and silent jobs are checked against their deadlines. */
    static final long TICK_MS = 100;

    private final JobSpec spec;
    private transient ServingPlan plan;
    private transient MapState<Long, ChainJob> jobs;
    /** How many times this key's scheduler was (re)built: numbers new jobs apart from those before. */
    private transient ValueState<Long> epoch;
    private transient ValueState<Long> nextTick;
    private transient Map<String, ChainScheduler> schedulers;
    /** Request ids seen within the retention (with a time-to-live), for idempotent ids; null when off. */
    private transient MapState<String, Long> seenIds;
    private transient Map<String, ChainMetrics> metrics;

    public ChainDispatcherOperator(JobSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext ctx) {
        plan = new ServingPlan(spec);
        jobs = getRuntimeContext().getMapState(new MapStateDescriptor<>("chain-jobs", Types.LONG,
                TypeInformation.of(ChainJob.class)));
        epoch = getRuntimeContext().getState(new ValueStateDescriptor<>("chain-epoch", Types.LONG));
        if (spec.dedupeRetentionUs() > 0) {
            MapStateDescriptor<String, Long> d = new MapStateDescriptor<>("chain-seen-ids", Types.STRING, Types.LONG);
            d.enableTimeToLive(io.muxflow.job.ingest.RequestDeduplicator.ttl(spec.dedupeRetentionUs()));
            seenIds = getRuntimeContext().getMapState(d);
        }
        nextTick = getRuntimeContext().getState(new ValueStateDescriptor<>("chain-next-tick", Types.LONG));
        schedulers = new HashMap<>();
        metrics = new HashMap<>();
        for (String llm : plan.chainModels()) {
            metrics.put(llm, new ChainMetrics(getRuntimeContext().getMetricGroup().addGroup("llm", llm),
                    () -> schedulers.containsKey(llm) ? schedulers.get(llm).waiting() : 0,
                    () -> schedulers.containsKey(llm) ? schedulers.get(llm).running() : 0));
        }
    }

    /** The scheduler of the current key's LLM, resumed from state the first time it is used. */
    private ChainScheduler scheduler(String llm, long now, Collecting out) throws Exception {
        ChainScheduler s = schedulers.get(llm);
        if (s == null) {
            s = new ChainScheduler(plan.chain(llm), new ChainScheduler.Options(spec.chain().router(),
                    spec.chain().queueCapacity(), spec.chain().petalsPenaltyS(), spec.chain().silenceGraceUs()),
                    new StateStore(jobs));
            schedulers.put(llm, s);
            Long e = epoch.value();
            long next = e == null ? 1 : e + 1;
            epoch.update(next);
            s.resume(next, now, out);
        }
        return s;
    }

    /** Collects a scheduler's output into the operator's outputs, and its answers into the metrics. */
    private final class Collecting implements ChainScheduler.Out {
        private final Collector<Reply> replies;
        private final Context ctx;

        Collecting(Collector<Reply> replies, Context ctx) {
            this.replies = replies;
            this.ctx = ctx;
        }

        @Override
        public void hop(ChainHop h) {
            ctx.output(HOPS, h);
        }

        @Override
        public void token(ChainJob j, int step) {
            if (spec.chain().streamTokens()) {
                ctx.output(TOKENS, StreamedToken.of(j, step));
            }
        }

        @Override
        public void reply(Reply r) {
            ChainMetrics m = metrics.get(r.model);
            if (m != null) {
                m.answered(r);
            }
            replies.collect(r);
        }
    }

    @Override
    public void processElement1(ServingRequest r, Context ctx, Collector<Reply> out) throws Exception {
        long now = Clocks.nowUs();
        Collecting c = new Collecting(out, ctx);
        if (seenIds != null) {
            Long first = seenIds.get(r.requestId);
            if (first != null) {
                c.reply(Reply.of(r, "REJECTED", io.muxflow.job.ingest.RequestDeduplicator.duplicateDetail(r.requestId,
                        first, r.receivedUs, spec.dedupeRetentionUs()), -1));
                return;
            }
            seenIds.put(r.requestId, r.receivedUs);
        }
        ChainScheduler s = scheduler(ctx.getCurrentKey(), now, c);
        s.arrive(r, now, c);
        tick(ctx);
    }

    @Override
    public void processElement2(ChainHop e, Context ctx, Collector<Reply> out) throws Exception {
        if (plan.chain(ctx.getCurrentKey()) == null) {
            return; // an event of an LLM this plan does not serve (an older plan's)
        }
        long now = Clocks.nowUs();
        Collecting c = new Collecting(out, ctx);
        scheduler(ctx.getCurrentKey(), now, c).event(e, now, c);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Reply> out) throws Exception {
        long now = Clocks.nowUs();
        Collecting c = new Collecting(out, ctx);
        ChainScheduler s = scheduler(ctx.getCurrentKey(), now, c);
        s.tick(now, c);
        nextTick.clear();
        if (jobs.keys().iterator().hasNext()) {
            tick(ctx);
        }
    }

    private void tick(Context ctx) throws Exception {
        if (nextTick.value() == null) {
            long t = ctx.timerService().currentProcessingTime() + TICK_MS;
            ctx.timerService().registerProcessingTimeTimer(t);
            nextTick.update(t);
        }
    }

    /** The jobs of the current key, in Flink's keyed map state. */
    private static final class StateStore implements ChainScheduler.Store {
        private final MapState<Long, ChainJob> state;

        StateStore(MapState<Long, ChainJob> state) {
            this.state = state;
        }

        @Override
        public ChainJob get(long seq) {
            try {
                return state.get(seq);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void put(ChainJob j) {
            try {
                state.put(j.seq, j);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void remove(long seq) {
            try {
                state.remove(seq);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Iterable<ChainJob> all() {
            try {
                return new java.util.ArrayList<>(java.util.stream.StreamSupport.stream(state.values().spliterator(),
                        false).toList());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
