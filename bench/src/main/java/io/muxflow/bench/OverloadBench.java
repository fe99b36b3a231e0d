package io.muxflow.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code muxflow bench overload}: three models on a plan made for their normal load, then ten times
 * what the plan can serve for 60 s, then the normal load again, through the live job (emulated
 * backend, adaptation on). Reports the shares of the overload's requests by status (overload must be
 * answered REJECTED or TIMED_OUT, never INVALID, and every request answered), the process's memory
 * at the end of the overload (RSS, and heap after a full GC), and how long after the overload ends
 * attainment is back within 10% of what it was before it.
 */
public final class OverloadBench {
    static final double NORMAL_S = 30;
    static final double OVERLOAD_S = 60;
    static final double AFTER_S = 60;
    static final double BUCKET_S = 5;

    private final ProfileDatabase published;
    private final PrintWriter log;

    public OverloadBench(ProfileDatabase published, PrintWriter log) {
        this.published = published;
        this.log = log;
    }

    public ObjectNode run(Path out) throws Exception {
        ModelProfile bert = published.require("bert-1.3b", "bench overload");
        double latency = bert.singleDeviceLatency();
        double slo = 5 * latency;
        int devices = 3;
        // what the plan can serve: each device runs one request at a time
        double capacity = devices / latency;
        List<ModelSpec> normal = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            normal.add(new ModelSpec("m" + i, "bert-1.3b", capacity * 0.4 / 3, 1.0, slo));
        }
        Plan plan = new SelectiveReplication().place(new PlacementProblem(Collections.nCopies(3, bert),
                WorkloadSpec.generated(120, 1, normal).generate(), Cluster.of(devices, 6), SimOptions.defaults()
                        .withOverheads(0.002, 0).withWarmup(0), SearchOptions.defaults()), SearchProgress.NONE);
        Map<String, String> mp = new HashMap<>();
        normal.forEach(m -> mp.put(m.name(), "bert-1.3b"));
        plan = plan.withModelProfiles(mp);
        Workload w = workload(normal, capacity * 10);
        log.printf("overload: %d models, plan capacity %.1f req/s; normal %.1f req/s for %.0f s, %.1f req/s for %.0f s, "
                + "normal for %.0f s (%d requests)%n", normal.size(), capacity, capacity * 0.4, NORMAL_S, capacity * 10,
                OVERLOAD_S, AFTER_S, w.size());
        log.flush();
        List<String> events = new CopyOnWriteArrayList<>();
        long[] memory = new long[2];
        AdaptBench.Served served;
        try (TempDir dir = TempDir.create("muxflow-overload")) {
            served = new AdaptBench(published, log).serve(dir.path(), true, plan, new ProfileDatabase(List.of(bert)), w,
                    events, t0 -> sampleMemoryAt(t0, NORMAL_S + OVERLOAD_S, memory));
        }
        ObjectNode root = Json.object();
        root.put("setting", String.format("3 instances of bert-1.3b (AlpaServe's published profile, emulated), SLO 5x "
                + "single-device latency, selective replication on %d devices (capacity %.1f req/s); normal load 40%% of "
                + "it, Poisson, overload 10x the capacity for %.0f s", devices, capacity, OVERLOAD_S));
        root.put("sent", served.sent());
        root.put("answered", served.responses().size());
        Map<ResponseStatus, Integer> during = new EnumMap<>(ResponseStatus.class);
        int inOverload = 0;
        for (InferenceResponse r : served.responses()) {
            double t = (r.getTimestamps().getClientSendUs() - served.t0Us()) / 1e6;
            if (t >= NORMAL_S && t < NORMAL_S + OVERLOAD_S) {
                during.merge(r.getStatus(), 1, Integer::sum);
                inOverload++;
            }
        }
        ObjectNode shares = root.putObject("overload_shares");
        for (ResponseStatus s : ResponseStatus.values()) {
            shares.put(s.name(), inOverload == 0 ? 0 : during.getOrDefault(s, 0) / (double) inOverload);
        }
        root.put("overload_requests", inOverload);
        root.put("rss_mb_end_of_overload", memory[0] / 1e6);
        root.put("heap_after_gc_mb_end_of_overload", memory[1] / 1e6);
        double[][] a = served.attainment(w.span(), BUCKET_S);
        double before = 0;
        int n = 0;
        for (int i = 0; i < a[0].length; i++) {
            if (a[0][i] < NORMAL_S && !Double.isNaN(a[1][i])) {
                before += a[1][i];
                n++;
            }
        }
        before /= Math.max(1, n);
        double recovered = Double.NaN;
        for (int i = 0; i < a[0].length; i++) {
            double start = a[0][i] - BUCKET_S / 2;
            if (start >= NORMAL_S + OVERLOAD_S && !Double.isNaN(a[1][i]) && a[1][i] >= 0.9 * before) {
                recovered = start - (NORMAL_S + OVERLOAD_S);
                break;
            }
        }
        root.put("attainment_before", before);
        root.put("seconds_until_attainment_back", recovered);
        ArrayNode series = root.putArray("attainment_5s");
        for (double x : a[1]) {
            series.add(Double.isNaN(x) ? null : x);
        }
        ArrayNode ev = root.putArray("adaptation_events");
        events.forEach(ev::add);
        log.printf("overload: %d of %d answered; during the overload %s; RSS %.0f MB, heap after GC %.0f MB; attainment "
                + "%.3f before, back within 10%% %.0f s after the overload%n", served.responses().size(), served.sent(),
                during, memory[0] / 1e6, memory[1] / 1e6, before, recovered);
        log.flush();
        Files.createDirectories(out);
        Json.write(out.resolve("overload.json"), root);
        return root;
    }

    /** Normal, then every model at its share of {@code overloadRate}, then normal again; Poisson throughout. */
    static Workload workload(List<ModelSpec> normal, double overloadRate) {
        List<String> names = normal.stream().map(ModelSpec::name).toList();
        List<Workload> parts = new ArrayList<>();
        for (int i = 0; i < normal.size(); i++) {
            ModelSpec m = normal.get(i);
            double[] a = new GammaProcess(m.rate(), 1).generate(0, NORMAL_S, 300 + i);
            double[] b = new GammaProcess(overloadRate / normal.size(), 1).generate(NORMAL_S, OVERLOAD_S, 400 + i);
            double[] c = new GammaProcess(m.rate(), 1).generate(NORMAL_S + OVERLOAD_S, AFTER_S, 500 + i);
            double[] all = new double[a.length + b.length + c.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            System.arraycopy(c, 0, all, a.length + b.length, c.length);
            parts.add(Workload.ofModel(names, i, all, m.sloS()));
        }
        return Workload.merge(names, parts);
    }

    /** At {@code atS} after {@code t0}: the process's RSS and its heap after a full collection, in bytes. */
    private static void sampleMemoryAt(long t0Us, double atS, long[] out) {
        try {
            long wait = (long) (atS * 1000) - (io.muxflow.job.model.Clocks.nowUs() - t0Us) / 1000;
            if (wait > 0) {
                Thread.sleep(wait);
            }
            System.gc();
            out[1] = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    out[0] = Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            out[0] = -1;
        }
    }
}
