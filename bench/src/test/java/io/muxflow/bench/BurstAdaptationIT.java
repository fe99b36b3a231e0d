package io.muxflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.io.TempDir;
import io.muxflow.planner.placement.Cluster;
import io.muxflow.planner.placement.PlacementProblem;
import io.muxflow.planner.placement.SearchOptions;
import io.muxflow.planner.placement.SearchProgress;
import io.muxflow.planner.placement.SelectiveReplication;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.workload.GammaProcess;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.Workload;
import io.muxflow.planner.workload.WorkloadSpec;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Adaptation never abandons a model, live: three models on the emulated backend with adaptation on
 * (evaluation every 5 s), a burst of ten times the plan's capacity on one of them for 30 s, then the
 * normal load. Every request is answered, and after the burst no model's attainment is 0 for more than
 * one evaluation interval (5-s buckets of send time), whatever the re-planner decides.
 */
class BurstAdaptationIT {
    static final double NORMAL_S = 20;
    static final double BURST_S = 30;
    static final double AFTER_S = 50;
    static final double BUCKET_S = 5;

    @Test
    void aBurstOnOneModelNeverLeavesAnotherAtZero() throws Exception {
        ProfileDatabase published = ProfileDatabase.load(List.of(Path.of("..", "..", "shared", "profiles",
                "alpaserve-published.json")));
        ModelProfile bert = published.require("bert-1.3b", "test");
        double latency = bert.singleDeviceLatency();
        double capacity = 3 / latency;
        List<ModelSpec> normal = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            normal.add(new ModelSpec("m" + i, "bert-1.3b", capacity * 0.3 / 3, 1.0, 5 * latency));
        }
        Plan plan = new SelectiveReplication().place(new PlacementProblem(Collections.nCopies(3, bert),
                WorkloadSpec.generated(120, 1, normal).generate(), Cluster.of(3, 6), SimOptions.defaults()
                        .withOverheads(0.002, 0).withWarmup(0), SearchOptions.defaults()), SearchProgress.NONE);
        Map<String, String> mp = new HashMap<>();
        normal.forEach(m -> mp.put(m.name(), "bert-1.3b"));
        plan = plan.withModelProfiles(mp);
        assertThat(plan.models()).containsExactlyInAnyOrder("m0", "m1", "m2");
        List<String> names = normal.stream().map(ModelSpec::name).toList();
        List<Workload> parts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            double rate = normal.get(i).rate();
            double[] a = new GammaProcess(rate, 1).generate(0, NORMAL_S, 10 + i);
            double[] b = new GammaProcess(i == 0 ? capacity * 10 : rate, i == 0 ? 4 : 1).generate(NORMAL_S, BURST_S, 20 + i);
            double[] c = new GammaProcess(rate, 1).generate(NORMAL_S + BURST_S, AFTER_S, 30 + i);
            double[] all = new double[a.length + b.length + c.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            System.arraycopy(c, 0, all, a.length + b.length, c.length);
            parts.add(Workload.ofModel(names, i, all, normal.get(i).sloS()));
        }
        Workload w = Workload.merge(names, parts);
        List<String> events = new CopyOnWriteArrayList<>();
        AdaptBench.Served served;
        try (TempDir dir = TempDir.create("muxflow-burst-it")) {
            served = new AdaptBench(published, new PrintWriter(System.out, true)).serve(dir.path(), true, plan,
                    new ProfileDatabase(List.of(bert)), w, events, null);
        }
        assertThat(served.responses()).hasSize(served.sent());
        // whatever was redeployed still serves every model
        assertThat(events.stream().filter(e -> e.startsWith("REDEPLOY") || e.startsWith("DEPLOYED")))
                .allMatch(e -> e.contains("[m0, m1, m2]"));
        int buckets = (int) Math.ceil(w.span() / BUCKET_S) + 1;
        for (String model : names) {
            int[] good = new int[buckets];
            int[] all = new int[buckets];
            for (InferenceResponse r : served.responses()) {
                if (!r.getModel().equals(model)) {
                    continue;
                }
                int b = (int) ((r.getTimestamps().getClientSendUs() - served.t0Us()) / 1e6 / BUCKET_S);
                if (b >= 0 && b < buckets) {
                    all[b]++;
                    if (r.getStatus() == ResponseStatus.OK
                            && r.getTimestamps().getFinishedUs() <= r.getTimestamps().getDeadlineUs()) {
                        good[b]++;
                    }
                }
            }
            int run = 0;
            int longest = 0;
            for (int b = (int) ((NORMAL_S + BURST_S) / BUCKET_S); b < buckets; b++) {
                run = all[b] > 0 && good[b] == 0 ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
            assertThat(longest).as("%s: 5-s buckets at attainment 0 in a row after the burst (events %s)", model,
                    events).isLessThanOrEqualTo(1);
        }
    }
}
