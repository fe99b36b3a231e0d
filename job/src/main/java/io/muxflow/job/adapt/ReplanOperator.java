package io.muxflow.job.adapt;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.dispatch.ServingPlan;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.placement.AlpaServeSearch;
import io.muxflow.planner.placement.Cluster;
import io.muxflow.planner.placement.PlacementProblem;
import io.muxflow.planner.placement.SearchOptions;
import io.muxflow.planner.placement.SearchProgress;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.sim.Simulation;
import io.muxflow.planner.workload.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluate and decide, once per interval (parallelism 1, one constant key): simulate the running
 * plan on the recent arrival sample, search a candidate with the AlpaServe search on a background
 * thread within a time budget, let the {@link Decider} choose, and publish the decision (current and
 * candidate plans, both predictions, the reason) on the plans topic. Nothing is evaluated during the
 * stabilization period after the job starts. Once the plan has run a full window past stabilization,
 * the attainment it actually reached (from the statistics) is published next to its prediction.
 */
public final class ReplanOperator extends KeyedCoProcessFunction<Integer, ModelStatsEvent, ArrivalEvent, PlanRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReplanOperator.class);
    private static final int MAX_SAMPLE = 200_000;

    private final JobSpec spec;
    private final AdaptSpec adapt;
    private transient ServingPlan plan;
    private transient List<ModelProfile> profiles;
    private transient RecentArrivals recent;
    private transient Map<String, ModelStatsEvent> stats;
    private transient ValueState<byte[]> state;
    private transient long startUs;
    private transient boolean timerSet;
    private transient ExecutorService searcher;
    private transient Future<Plan> search;
    private transient long searchStartedUs;
    private transient double searchCurrent;
    private transient double searchRate;
    /** The recent workload the running search plans for (the guard checks its candidate on it). */
    private transient Workload searchWorkload;

    public ReplanOperator(JobSpec spec, AdaptSpec adapt) {
        this.spec = spec;
        this.adapt = adapt;
    }

    @Override
    public void open(OpenContext ctx) {
        plan = new ServingPlan(spec);
        ProfileDatabase db = spec.profiles();
        profiles = new ArrayList<>();
        for (int m = 0; m < plan.models().size(); m++) {
            profiles.add(db.require(plan.profileName(m), "re-planner"));
        }
        recent = new RecentArrivals(adapt.windowUs(), MAX_SAMPLE);
        stats = new HashMap<>();
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("replan-state",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        startUs = Clocks.nowUs();
        searcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "muxflow-replan-search");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
    }

    @Override
    public void close() {
        if (searcher != null) {
            searcher.shutdownNow();
        }
    }

    private ReplanState current() throws Exception {
        byte[] b = state.value();
        ReplanState s = b == null ? ReplanState.initial(plan.version()) : ReplanState.deserialize(b);
        ReplanState r = s.restoredUnder(plan.version(), startUs);
        if (r != s) {
            LOG.info("re-planner: running plan v{} (restored from plan v{}: a redeploy)", plan.version(), s.planVersion());
        }
        return r;
    }

    private void ensureTimer(Context ctx) {
        if (!timerSet) {
            timerSet = true;
            ctx.timerService().registerProcessingTimeTimer(
                    ctx.timerService().currentProcessingTime() + adapt.intervalUs() / 1000);
        }
    }

    @Override
    public void processElement1(ModelStatsEvent s, Context ctx, Collector<PlanRecord> out) throws Exception {
        if (plan.modelIndex(s.model) >= 0) { // statistics are kept for the plan's models only
            stats.put(s.model, s);
        }
        ensureTimer(ctx);
    }

    @Override
    public void processElement2(ArrivalEvent a, Context ctx, Collector<PlanRecord> out) throws Exception {
        recent.add(a);
        ensureTimer(ctx);
    }

    private SimOptions simOptions() {
        return spec.simOptions().withWarmup(0);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PlanRecord> out) throws Exception {
        long now = Clocks.nowUs();
        ReplanState st = current();
        if (search != null) {
            finishSearch(now, st, out);
        } else if (now - startUs >= adapt.stabilizationUs()) {
            reportObserved(now, st, out);
            startSearch(now);
        }
        long next = search != null ? 250 : adapt.intervalUs() / 1000;
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + next);
        state.update(current().serialize());
    }

    private void startSearch(long now) {
        Workload w = recent.workload(plan.models(), now);
        if (w.size() < 2) {
            return; // "not yet": too little traffic to judge
        }
        searchCurrent = new Simulation(w, profiles, simOptions()).run(plan.plan()).attainment();
        searchRate = w.size() / Math.max(1e-3, w.span());
        searchStartedUs = now;
        searchWorkload = w;
        Plan running = plan.plan();
        search = searcher.submit(() -> {
            PlacementProblem p = new PlacementProblem(profiles, w, Cluster.of(running.devices(), adapt.memGb()),
                    simOptions(), SearchOptions.defaults().withThreads(1).withMaxOp(Math.min(
                            SearchOptions.defaults().maxOp(), io.muxflow.gpu.backend.Backends.maxOp(spec.backend()))));
            return new AlpaServeSearch().place(p, SearchProgress.NONE);
        });
    }

    private void finishSearch(long now, ReplanState st, Collector<PlanRecord> out) throws Exception {
        if (!search.isDone()) {
            if (now - searchStartedUs > adapt.searchBudgetUs()) {
                search.cancel(true);
                search = null;
                out.collect(record("KEEP", "the search for a candidate ran past its budget of "
                        + adapt.searchBudgetUs() / 1e6 + " s", null, searchCurrent, Double.NaN, now));
            }
            return;
        }
        Plan candidate;
        try {
            candidate = search.get();
        } catch (java.util.concurrent.ExecutionException e) {
            search = null;
            out.collect(record("KEEP", "the search failed: " + e.getCause().getMessage(), null, searchCurrent,
                    Double.NaN, now));
            return;
        }
        search = null;
        Plan running = plan.plan();
        // the search places the groups' models; the LLMs on server chains stay as they are
        candidate = candidate.withVersion(running.version() + 1).withModelProfiles(running.modelProfiles())
                .withChains(running.chains());
        boolean same = candidate.placement(plan.models()).normalized().equals(running.placement(plan.models()).normalized());
        String refusal = same ? null : CandidateGuard.refusal(running, candidate, searchWorkload, profiles, simOptions(),
                adapt.deadBand());
        if (refusal != null) {
            LOG.info("re-planner: candidate plan v{} refused: {}", candidate.version(), refusal);
            out.collect(record("KEEP", "candidate refused: " + refusal, candidate, searchCurrent,
                    candidate.predictedAttainment(), now));
            return;
        }
        Decider.Decision d = new Decider(adapt).decide(searchCurrent, candidate.predictedAttainment(), same, searchRate,
                now, st.cooldownStartUs(), adapt.redeployCostUs());
        if (!d.action().equals("KEEP")) {
            LOG.info("re-planner: {} plan v{} -> v{}: {}", d.action(), running.version(), candidate.version(), d.reason());
        }
        if (d.action().equals("REDEPLOY")) {
            state.update(st.withDecision(now).serialize());
        }
        out.collect(record(d.action(), d.reason(), candidate, searchCurrent, candidate.predictedAttainment(), now));
    }

    private void reportObserved(long now, ReplanState st, Collector<PlanRecord> out) throws Exception {
        if (st.observedReported() || now - startUs < adapt.stabilizationUs() + adapt.windowUs()) {
            return;
        }
        double good = 0;
        long responses = 0;
        for (ModelStatsEvent s : stats.values()) {
            if (s.responses > 0 && !Double.isNaN(s.attainment)) {
                good += s.attainment * s.responses;
                responses += s.responses;
            }
        }
        if (responses == 0) {
            return;
        }
        PlanRecord r = record("OBSERVED", String.format("plan v%d reached %.4f over the last %.0f s; predicted %.4f",
                plan.version(), good / responses, adapt.windowUs() / 1e6, plan.plan().predictedAttainment()), null,
                plan.plan().predictedAttainment(), Double.NaN, now);
        r.observed = good / responses;
        out.collect(r);
        state.update(st.reported().serialize());
    }

    private PlanRecord record(String action, String reason, Plan candidate, double current, double cand, long now) {
        PlanRecord r = new PlanRecord();
        r.action = action;
        r.reason = reason;
        r.createdUs = now;
        r.fromVersion = plan.version();
        r.version = candidate == null ? plan.version() : candidate.version();
        r.planJson = Json.compact((candidate == null ? plan.plan() : candidate).toJson());
        r.currentPlanJson = Json.compact(plan.plan().toJson());
        r.predictedCurrent = current;
        r.predictedCandidate = cand;
        return r;
    }
}
