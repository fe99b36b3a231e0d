package io.muxflow.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.job.adapt.PlanRecord;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.control.Controller;
import io.muxflow.job.control.JobLauncher;
import io.muxflow.job.control.PlacementRealizer;
import io.muxflow.job.control.RestClusterAccess;
import io.muxflow.job.control.SavepointRealizer;
import io.muxflow.job.loadgen.LoadGenerator;
import io.muxflow.job.loadgen.RequestFactory;
import io.muxflow.job.loadgen.ResponseCollector;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.job.local.LocalCluster;
import io.muxflow.job.local.Topics;
import io.muxflow.planner.bench.Plots;
import io.muxflow.planner.io.Json;
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
import io.muxflow.schema.codec.Encoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;

/**
 * {@code muxflow bench adapt}: (1) redeploy downtime on the cpu backend (real weights to load): the
 * gap between the last response on the old plan and the first on the new, and the controller's
 * phases (savepoint, submit, restore, weight load); (2) attainment over time across a shift (one
 * model turns hot and bursty), with and without adaptation, on the emulated backend and the same
 * arrivals, as a PNG.
 */
public final class AdaptBench {
    private final ProfileDatabase published;
    private final PrintWriter log;

    public AdaptBench(ProfileDatabase published, PrintWriter log) {
        this.published = published;
        this.log = log;
    }

    private static Plan plan(String json) {
        return Plan.parse(Json.parse(json, "plan"), "plan");
    }

    ObjectNode downtime(Path dir, int moves) throws Exception {
        ModelProfile p = new ModelProfile("bert-small", List.of(
                new io.muxflow.planner.profile.ConfigProfile(io.muxflow.planner.profile.ParallelConfig.of(1, 1),
                        Map.of(1, new double[] {0.02}), new long[] {116_000_000L}, Map.of()),
                new io.muxflow.planner.profile.ConfigProfile(io.muxflow.planner.profile.ParallelConfig.of(1, 2),
                        Map.of(1, new double[] {0.011, 0.011}), new long[] {91_000_000L, 26_000_000L}, Map.of())));
        ProfileDatabase db = new ProfileDatabase(List.of(p));
        Plan a = plan("""
                {"version": 1, "policy": "bench", "groups": [
                  {"id": 0, "devices": 1, "pp": 1, "models": ["x", "y"]}, {"id": 1, "devices": 1, "pp": 1, "models": ["x"]}],
                 "model_profiles": {"x": "bert-small", "y": "bert-small"}}""");
        Plan b = plan("""
                {"version": 2, "policy": "bench", "groups": [{"id": 0, "devices": 2, "pp": 2, "models": ["x", "y"]}],
                 "model_profiles": {"x": "bert-small", "y": "bert-small"}}""");
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.BACKEND, "cpu");
        conf.set(MuxflowOptions.ADAPT, false);
        conf.setString("execution.checkpointing.dir", dir.resolve("cp").toUri().toString());
        ArrayNode rows = Json.MAPPER.createArrayNode();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            conf.set(MuxflowOptions.BOOTSTRAP, kafka.bootstrapServers());
            kafka.createTopics(Topics.of(conf));
            try (LocalCluster flink = new LocalCluster(conf, 8, 0);
                    RestClusterAccess rest = new RestClusterAccess(flink.restAddress())) {
                JobLauncher launcher = new JobLauncher(db, conf, null);
                JobID job = flink.submit(launcher.create(a, null, -1));
                rest.awaitRunning(job, 120_000);
                SavepointRealizer realizer = new SavepointRealizer(rest, launcher,
                        dir.resolve("sp").toUri().toString(), 120_000, job);
                String run = "dt" + Long.toString(System.nanoTime() % 100000, 36);
                List<InferenceResponse> seen = new CopyOnWriteArrayList<>();
                try (ResponseCollector c = new ResponseCollector(kafka.bootstrapServers(),
                        conf.get(MuxflowOptions.RESPONSES_TOPIC), run, false, new Properties(), seen::add);
                        LoadGenerator g = new LoadGenerator(kafka.bootstrapServers(),
                                conf.get(MuxflowOptions.REQUESTS_TOPIC), new RequestFactory(run, 16, 30000, 1),
                                Encoding.AVRO, new Properties())) {
                    g.startOpenEnded(() -> List.of(new LoadGenerator.Stream("x", 5, 1, 10_000_000L),
                            new LoadGenerator.Stream("y", 5, 1, 10_000_000L)), 4);
                    Thread.sleep(8000);
                    Plan from = a;
                    Plan to = b;
                    for (int i = 0; i < moves; i++) {
                        PlacementRealizer.Outcome o = realizer.realize(from, to.withVersion(from.version() + 1));
                        Thread.sleep(6000);
                        int oldV = from.version();
                        int newV = from.version() + 1;
                        long lastOld = seen.stream().filter(r -> r.getPlanVersion() == oldV)
                                .mapToLong(r -> r.getTimestamps().getFinishedUs()).max().orElse(0);
                        long firstNew = seen.stream().filter(r -> r.getPlanVersion() == newV)
                                .mapToLong(r -> r.getTimestamps().getFinishedUs()).min().orElse(0);
                        ObjectNode row = rows.addObject();
                        row.put("from_version", oldV);
                        row.put("to_version", newV);
                        row.put("deployed", o.deployed());
                        row.put("downtime_ms", (firstNew - lastOld) / 1000.0);
                        o.timingsMs().forEach(row::put);
                        log.printf("redeploy v%d -> v%d: downtime %.0f ms (last response on v%d -> first on v%d); "
                                + "phases ms %s%n", oldV, newV, (firstNew - lastOld) / 1000.0, oldV, newV, o.timingsMs());
                        log.flush();
                        Plan next = from;
                        from = to.withVersion(newV);
                        to = next;
                    }
                    flink.cancel(realizer.runningJob());
                }
            }
        }
        ObjectNode o = Json.object();
        o.put("backend", "cpu");
        o.put("models", "2 x bert-small (4 layers, hidden 512; synthetic weights), 5 req/s each, 16 tokens");
        o.set("moves", rows);
        double[] d = new double[rows.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = rows.get(i).get("downtime_ms").asDouble();
        }
        Arrays.sort(d);
        o.put("downtime_median_ms", io.muxflow.planner.stats.Percentiles.nearestRank(d, 0.5));
        return o;
    }

    /** Steady for {@code shiftS}, then m0 hot and bursty; the same arrivals for both runs. */
    static Workload shiftWorkload(List<ModelSpec> steady, double shiftS, double totalS) {
        List<String> names = steady.stream().map(ModelSpec::name).toList();
        List<Workload> parts = new ArrayList<>();
        for (int i = 0; i < steady.size(); i++) {
            ModelSpec m = steady.get(i);
            double[] before = new GammaProcess(m.rate(), m.cv()).generate(0, shiftS, 100 + i);
            double[] after = i == 0 ? new GammaProcess(14, 4).generate(shiftS, totalS - shiftS, 200)
                    : new GammaProcess(1.0, 1).generate(shiftS, totalS - shiftS, 200 + i);
            double[] all = new double[before.length + after.length];
            System.arraycopy(before, 0, all, 0, before.length);
            System.arraycopy(after, 0, all, before.length, after.length);
            parts.add(Workload.ofModel(names, i, all, m.sloS()));
        }
        return Workload.merge(names, parts);
    }

    /** What a run of a workload through the live job gave: its start, every response, the requests sent. */
    record Served(long t0Us, List<InferenceResponse> responses, int sent) {
        /** SLO attainment per bucket of send time: {time_s (bucket middles), attainment (NaN when empty)}. */
        double[][] attainment(double spanS, double bucketS) {
            int buckets = (int) Math.ceil(spanS / bucketS) + 1;
            double[] good = new double[buckets];
            double[] all = new double[buckets];
            for (InferenceResponse r : responses) {
                int b = (int) ((r.getTimestamps().getClientSendUs() - t0Us) / 1e6 / bucketS);
                if (b < 0 || b >= buckets) {
                    continue;
                }
                all[b]++;
                if (r.getStatus() == ResponseStatus.OK
                        && r.getTimestamps().getFinishedUs() <= r.getTimestamps().getDeadlineUs()) {
                    good[b]++;
                }
            }
            double[] att = new double[buckets];
            double[] t = new double[buckets];
            for (int i = 0; i < buckets; i++) {
                t[i] = (i + 0.5) * bucketS;
                att[i] = all[i] == 0 ? Double.NaN : good[i] / all[i];
            }
            return new double[][] {t, att};
        }
    }

    /**
     * Replays {@code w} through the live job on the emulated backend (adaptation on or off), with the
     * controller redeploying what the re-planner decides; {@code during} runs beside the replay (for
     * samples taken while the load runs; may be null).
     */
    Served serve(Path dir, boolean adapt, Plan initial, ProfileDatabase db, Workload w, List<String> events,
            java.util.function.LongConsumer during) throws Exception {
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.BACKEND, "emulated");
        conf.set(MuxflowOptions.ADAPT, adapt);
        conf.set(MuxflowOptions.STATS_WINDOW, Duration.ofSeconds(20));
        conf.set(MuxflowOptions.STATS_SLIDE, Duration.ofSeconds(1));
        conf.set(MuxflowOptions.EVALUATION_INTERVAL, Duration.ofSeconds(5));
        conf.set(MuxflowOptions.STABILIZATION, Duration.ofSeconds(10));
        conf.set(MuxflowOptions.COOLDOWN, Duration.ofSeconds(30));
        conf.set(MuxflowOptions.ADAPT_MEM_GB, 6.0);
        conf.setString("execution.checkpointing.dir", dir.resolve("cp").toUri().toString());
        List<InferenceResponse> seen = new CopyOnWriteArrayList<>();
        String run = (adapt ? "ad" : "na") + Long.toString(System.nanoTime() % 100000, 36);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            conf.set(MuxflowOptions.BOOTSTRAP, kafka.bootstrapServers());
            kafka.createTopics(Topics.of(conf));
            try (LocalCluster flink = new LocalCluster(conf, 16, 0);
                    RestClusterAccess rest = new RestClusterAccess(flink.restAddress())) {
                JobLauncher launcher = new JobLauncher(db, conf, null);
                JobID job = flink.submit(launcher.create(initial, null, -1));
                rest.awaitRunning(job, 120_000);
                SavepointRealizer realizer = new SavepointRealizer(rest, launcher, dir.resolve("sp").toUri().toString(),
                        120_000, job);
                try (Controller controller = new Controller(kafka.bootstrapServers(),
                        conf.get(MuxflowOptions.PLANS_TOPIC), new Properties(), realizer, initial.version(), log,
                        r -> {
                            if (!r.action.equals("KEEP")) {
                                events.add(r.action + " v" + r.fromVersion + "->v" + r.version + " " + models(r) + ": "
                                        + r.reason);
                            }
                        });
                        ResponseCollector c = new ResponseCollector(kafka.bootstrapServers(),
                                conf.get(MuxflowOptions.RESPONSES_TOPIC), run, false, new Properties(), seen::add);
                        LoadGenerator g = new LoadGenerator(kafka.bootstrapServers(),
                                conf.get(MuxflowOptions.REQUESTS_TOPIC), new RequestFactory(run, 8, 30000, 2),
                                Encoding.AVRO, new Properties())) {
                    long t0 = io.muxflow.job.model.Clocks.nowUs();
                    Thread beside = during == null ? null : new Thread(() -> during.accept(t0), "muxflow-bench-sampler");
                    if (beside != null) {
                        beside.setDaemon(true);
                        beside.start();
                    }
                    g.replay(w);
                    long end = System.nanoTime() + 60_000_000_000L;
                    while (seen.size() < w.size() && System.nanoTime() < end) {
                        Thread.sleep(200);
                    }
                    if (beside != null) {
                        beside.join(10_000);
                    }
                    flink.cancel(realizer.runningJob());
                    return new Served(t0, new ArrayList<>(seen), w.size());
                }
            }
        }
    }

    /** The models the plan of a decision serves, as "[m0, m1]". */
    private static String models(PlanRecord r) {
        try {
            return Plan.parse(Json.parse(r.planJson, "plan"), "plan").models().toString();
        } catch (RuntimeException e) {
            return "[?]";
        }
    }

    double[][] shiftRun(Path dir, boolean adapt, Plan initial, ProfileDatabase db, Workload w, double bucketS,
            List<String> events) throws Exception {
        Served s = serve(dir, adapt, initial, db, w, events, null);
        double[][] a = s.attainment(w.span(), bucketS);
        return new double[][] {a[0], a[1], {s.responses().size(), s.sent()}};
    }

    ObjectNode shift(Path dir, Path outDir) throws Exception {
        ModelProfile bert = published.require("bert-1.3b", "bench");
        double slo = 5 * bert.singleDeviceLatency();
        List<ModelSpec> steady = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            steady.add(new ModelSpec("m" + i, "bert-1.3b", i == 0 ? 0.5 : 4.0, 1.0, slo));
        }
        Plan initial = new SelectiveReplication().place(new PlacementProblem(Collections.nCopies(4, bert),
                WorkloadSpec.generated(120, 1, steady).generate(), Cluster.of(4, 6), SimOptions.defaults()
                        .withOverheads(0.002, 0).withWarmup(0), SearchOptions.defaults()), SearchProgress.NONE);
        Map<String, String> mp = new HashMap<>();
        steady.forEach(m -> mp.put(m.name(), "bert-1.3b"));
        initial = initial.withModelProfiles(mp);
        ProfileDatabase db = new ProfileDatabase(List.of(bert));
        Workload w = shiftWorkload(steady, 40, 130);
        ObjectNode o = Json.object();
        var series = Plots.series();
        for (boolean adapt : new boolean[] {false, true}) {
            List<String> events = new CopyOnWriteArrayList<>();
            double[][] r = shiftRun(dir.resolve(adapt ? "adapt" : "static"), adapt, initial, db, w, 5, events);
            String key = adapt ? "with adaptation" : "without adaptation";
            series.put(key, new Plots.Series(r[0], r[1]));
            ObjectNode ro = o.putObject(adapt ? "adapt" : "static");
            ArrayNode t = ro.putArray("time_s");
            ArrayNode a = ro.putArray("attainment");
            double sumAfter = 0;
            int nAfter = 0;
            for (int i = 0; i < r[0].length; i++) {
                t.add(r[0][i]);
                a.add(Double.isNaN(r[1][i]) ? null : r[1][i]);
                if (r[0][i] > 70 && !Double.isNaN(r[1][i])) {
                    sumAfter += r[1][i];
                    nAfter++;
                }
            }
            ro.put("answered", r[2][0]);
            ro.put("sent", r[2][1]);
            ro.put("mean_attainment_after_70s", sumAfter / Math.max(1, nAfter));
            ArrayNode ev = ro.putArray("events");
            events.forEach(ev::add);
            log.printf("shift %s: mean attainment after 70 s %.3f; %d of %d answered; events %s%n", key,
                    sumAfter / Math.max(1, nAfter), (long) r[2][0], (long) r[2][1], events);
            log.flush();
        }
        Path png = outDir.resolve("adapt-shift.png");
        Plots.line(png, "SLO attainment across a shift at 40 s (m0 turns hot and bursty)", "time (s)",
                "SLO attainment (5 s buckets)", series);
        o.put("png", "bench/adapt-shift.png");
        return o;
    }

    /** @param part "downtime", "shift" or "all"; results merge into adapt.json */
    public ObjectNode run(Path outDir, String part) throws Exception {
        Path file = outDir.resolve("adapt.json");
        ObjectNode root = Files.exists(file) ? (ObjectNode) Json.read(file) : Json.object();
        try (TempDir dir = TempDir.create("muxflow-adapt")) {
            if (!part.equals("shift")) {
                root.set("downtime", downtime(dir.resolve("downtime"), 3));
            }
            if (!part.equals("downtime")) {
                root.set("shift", shift(dir.resolve("shift"), outDir));
            }
        }
        Json.write(file, root);
        return root;
    }
}
