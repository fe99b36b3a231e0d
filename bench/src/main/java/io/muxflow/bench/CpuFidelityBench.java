package io.muxflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.bench.host.CpuPinning;
import io.muxflow.gpu.profiler.ProfileCommand;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.loadgen.LoadGenerator;
import io.muxflow.job.loadgen.RequestFactory;
import io.muxflow.job.loadgen.ResponseCollector;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.placement.AlpaServeSearch;
import io.muxflow.planner.placement.Cluster;
import io.muxflow.planner.placement.PlacementProblem;
import io.muxflow.planner.placement.SearchOptions;
import io.muxflow.planner.placement.SearchProgress;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.sim.Outcomes;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.sim.Simulation;
import io.muxflow.planner.sim.VariableServiceSimulator;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.PowerLaw;
import io.muxflow.planner.workload.Workload;
import io.muxflow.planner.workload.WorkloadSpec;
import io.muxflow.schema.codec.Encoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;

/**
 * {@code muxflow bench fidelity-cpu}: does the simulator predict a real executor? The models are
 * profiled on this machine's cpu backend with {@code muxflow profile}, planned with those profiles
 * (AlpaServe's search), and one bursty workload per load level is served live on the cpu backend
 * (real BERT math) and simulated on the same plan and arrivals. The difference is the simulator's
 * error about a real executor sharing the machine with Kafka and Flink, which the emulated figure
 * ({@code bench serving}), whose executor holds a device for exactly the profiled latency, cannot show.
 */
public final class CpuFidelityBench {
    /** Tokens per request: the profiles are measured at this length and the load generator sends it. */
    static final int TOKENS = 16;
    static final List<String> SHAPES = List.of("bert-medium", "bert-small");
    /** The Linux thread names of the stage operators' tasks ("stage-layer-K -> ..."): the threads that compute. */
    static final String STAGE_THREADS = "stage-layer-";

    private final PrintWriter log;
    /**
     * cpu "devices" (one GEMM thread each). One core is left to Kafka, Flink and the load generator,
     * as a GPU server's host CPU does that work while its GPUs compute: on this 2-vCPU machine two
     * devices computing at once slow each other down (docs/BENCHMARKS.md), which no profile shows.
     */
    private int devices = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    private double seconds = 60;
    private double warmupSeconds = 30;
    private double cv = 2;
    private double sloScale = 5;
    private Map<String, String> settings = Map.of();
    /**
     * Keep the stage threads on CPUs of their own (and profile that way); see {@link CpuPinning}. Off
     * by default: pinned, the executor still served 4-38% slower than profiled and the gap stayed
     * (docs/BENCHMARKS.md, "Fidelity on a real executor").
     */
    private boolean pin;
    /** Batch sizes profiled up to this (powers of two); the job batches when a level sets it above 1. */
    private int profiledBatch = 1;
    /** The job's muxflow.dispatch.max-batch for the next level (1: no batching). */
    private int maxBatch = 1;

    public CpuFidelityBench(PrintWriter log) {
        this.log = log;
    }

    public CpuFidelityBench seconds(double measured, double warmup) {
        if (!(measured > 0) || !(warmup >= 0)) {
            throw new InvalidInputException("--seconds must be > 0 and --warmup-seconds >= 0");
        }
        this.seconds = measured;
        this.warmupSeconds = warmup;
        return this;
    }

    /** Job configuration options (muxflow.* or Flink) for every level, recorded in the JSON. */
    public CpuFidelityBench settings(Map<String, String> s) {
        this.settings = Map.copyOf(s);
        return this;
    }

    /** Whether to pin the devices' threads to CPUs of their own (when this machine allows it). */
    public CpuFidelityBench pin(boolean p) {
        this.pin = p;
        return this;
    }

    /** The pinning in force for this run, or null (off, or not possible here: {@link #pinningNote} says why). */
    private CpuPinning pinning() {
        int cpus = Runtime.getRuntime().availableProcessors();
        return pin && devices < cpus && CpuPinning.available(cpus) == null ? new CpuPinning(cpus, devices) : null;
    }

    private String pinningNote() {
        CpuPinning p = pinning();
        if (p != null) {
            return "the stage threads on CPU " + p.deviceList() + ", every other thread on CPU " + p.restList()
                    + " (profiling: the profiling thread on CPU " + p.deviceList() + ")";
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        return !pin ? "off (the default; --pin turns it on)" : devices >= cpus ? "off: no CPU left beside the devices"
                : "off: " + CpuPinning.available(cpus);
    }

    public CpuFidelityBench devices(int d) {
        if (d < 1) {
            throw new InvalidInputException("--devices must be >= 1, got " + d);
        }
        this.devices = d;
        return this;
    }

    /**
     * Profiles each shape with {@code muxflow profile} on cpu (one GEMM thread, as each serving slot
     * runs; cold caches, as four models take turns), twice: the first pass only brings the JIT
     * compiler to the steady state serving runs in (the vector kernels run many times slower before
     * C2 compiles them), the second is kept.
     */
    ProfileDatabase profile(Path dir) throws Exception {
        return profile(dir, true);
    }

    /** As above; {@code jitWarmup} false skips the first pass (the JIT is warm from an earlier one). */
    ProfileDatabase profile(Path dir, boolean jitWarmup) throws Exception {
        Files.createDirectories(dir);
        for (String shape : jitWarmup ? SHAPES : List.<String>of()) {
            profileOne(shape, dir.resolve("jit-warmup-" + shape + ".json"));
        }
        List<Path> files = new ArrayList<>();
        for (String shape : SHAPES) {
            files.add(profileOne(shape, dir.resolve(shape + ".json")));
        }
        return ProfileDatabase.load(files);
    }

    private Path profileOne(String shape, Path out) throws java.io.IOException {
        CpuPinning pinning = pinning();
        if (pinning != null) {
            pinning.pinCallerAsDevice(); // measured as it will serve: alone on a device CPU
        }
        try {
            return profileOnePinned(shape, out);
        } finally {
            if (pinning != null) {
                pinning.release();
            }
        }
    }

    private Path profileOnePinned(String shape, Path out) {
        StringBuilder batches = new StringBuilder("1");
        for (int b = 2; b <= profiledBatch; b *= 2) {
            batches.append(',').append(b);
        }
        String[] args = {"--model", shape, "--backend", "cpu", "--threads", "1", "--seq", "" + TOKENS, "--pp", "1,2",
                "--batch", batches.toString(), "--warmup", "30", "--runs", "20", "--cache", "cold", "--out",
                out.toString()};
        log.printf("fidelity-cpu: muxflow profile %s%n", String.join(" ", args));
        log.flush();
        CommandLine cl = new CommandLine(new ProfileCommand());
        cl.setOut(log);
        cl.setErr(new PrintWriter(PrintWriter.nullWriter()));
        if (cl.execute(args) != 0) {
            throw new IllegalStateException("muxflow profile " + shape + " failed");
        }
        return out;
    }

    /** Four models (two per shape) with power-law rates summing to {@code load} x the devices' capacity. */
    List<ModelSpec> models(ProfileDatabase db, double load) {
        List<ModelProfile> shapes = SHAPES.stream().map(s -> db.require(s, "fidelity-cpu")).toList();
        int n = 4;
        double[] split = PowerLaw.split(1.0, n, PowerLaw.DEFAULT_ALPHA);
        double work = 0; // device-seconds per request of the mix
        for (int i = 0; i < n; i++) {
            work += split[i] * shapes.get(i % 2).singleDeviceLatency();
        }
        double total = load * devices / work;
        List<ModelSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ModelProfile p = shapes.get(i % 2);
            out.add(new ModelSpec("m" + i, p.model(), total * split[i], cv, sloScale * p.singleDeviceLatency()));
        }
        return out;
    }

    /**
     * One load level: plan, simulate, serve live on cpu, compare. {@code stageOverhead} is the
     * factor both the simulator and the job's dispatcher apply to the profiled latencies (null: the
     * default). The result's {@code executor_ratio} is the live executors' time over the profile's,
     * summed over the OK requests' stages.
     */
    ObjectNode level(Path dir, ProfileDatabase db, double load, int index, Double stageOverhead) throws Exception {
        List<ModelSpec> models = models(db, load);
        Workload w = WorkloadSpec.generated(seconds, 100 + index, models).generate();
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.BACKEND, "cpu");
        conf.set(MuxflowOptions.CPU_THREADS, 1);
        conf.setString("execution.checkpointing.dir", dir.resolve("cp").toUri().toString());
        settings.forEach(conf::setString);
        if (maxBatch > 1) {
            conf.set(MuxflowOptions.MAX_BATCH, maxBatch);
        }
        if (stageOverhead != null) {
            conf.set(MuxflowOptions.STAGE_OVERHEAD, stageOverhead);
        }
        SimOptions sim = JobSpec.simOptions(conf).withWarmup(0);
        List<ModelProfile> profiles = models.stream().map(m -> db.require(m.profile(), "fidelity-cpu")).toList();
        PlacementProblem problem = new PlacementProblem(profiles, w, Cluster.of(devices, 4), sim, SearchOptions.defaults());
        Map<String, String> mp = new HashMap<>();
        models.forEach(m -> mp.put(m.name(), m.profile()));
        Plan plan = new AlpaServeSearch().place(problem, SearchProgress.NONE).withModelProfiles(mp);
        Simulation simulation = new Simulation(w, profiles, sim);
        Outcomes simulated = simulation.outcomes(plan);
        double simAtt = attainment(simulated.good());
        String groups = plan.groups().stream().map(g -> g.devices() + "x(pp" + g.pp() + ")" + g.models()).toList()
                .toString();
        log.printf("fidelity-cpu: load %.2f: %.1f req/s, %d requests over %.0f s, plan %s, simulated attainment %.4f%n",
                load, w.size() / seconds, w.size(), seconds, groups, simAtt);
        log.flush();
        String run = "fc" + index + Long.toString(System.nanoTime() % 100000, 36);
        OverheadSample legs = new OverheadSample(run + "-", null);
        Map<String, io.muxflow.job.loadgen.DoubleSeries> execMs = new java.util.concurrent.ConcurrentHashMap<>();
        io.muxflow.job.loadgen.DoubleSeries hopMs = new io.muxflow.job.loadgen.DoubleSeries();
        Map<String, String> profileOf = new HashMap<>(mp);
        double[] execSums = new double[2]; // live, profiled (µs) over the OK requests' stages
        // first-stage runs (group, start, end) -> requests in them: the batches as served
        Map<String, Integer> firstStageRuns = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.function.Consumer<io.muxflow.schema.InferenceResponse> diag = r -> {
            legs.accept(r);
            var st = r.getTimestamps().getStages();
            if (!r.getRequestId().startsWith(run + "-") || st.isEmpty()) {
                return;
            }
            firstStageRuns.merge(r.getGroup() + "/" + st.get(0).getStartUs() + "/" + st.get(0).getEndUs(), 1,
                    Integer::sum);
            if (r.getStatus() == io.muxflow.schema.ResponseStatus.OK) {
                double[] prof = db.require(profileOf.get(r.getModel()), "fidelity-cpu")
                        .config(io.muxflow.planner.profile.ParallelConfig.of(1, st.size())).orElseThrow().latency(1);
                synchronized (execSums) {
                    for (int k = 0; k < st.size(); k++) {
                        execSums[0] += st.get(k).getEndUs() - st.get(k).getStartUs();
                        execSums[1] += prof[k] * 1e6;
                    }
                }
            }
            recordStageTimes(execMs, r);
            for (int k = 1; k < st.size(); k++) {
                synchronized (hopMs) {
                    hopMs.add((st.get(k).getStartUs() - st.get(k - 1).getEndUs()) / 1000.0);
                }
            }
        };
        // the executors' times in the unmeasured warm-up before the level: known before the level is served
        Map<String, io.muxflow.job.loadgen.DoubleSeries> warmupMs = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.function.Consumer<io.muxflow.schema.InferenceResponse> warmupDiag = r -> recordStageTimes(warmupMs, r);
        boolean batched = sim.batching();
        try (ServingBench.Deployment d = new ServingBench.Deployment(dir.resolve("level-" + index + (batched ? "-batched"
                : "")), plan, db, conf);
                ResponseCollector c = new ResponseCollector(d.kafka.bootstrapServers(),
                        conf.get(MuxflowOptions.RESPONSES_TOPIC), run, false, new Properties(), diag);
                ResponseCollector cw = new ResponseCollector(d.kafka.bootstrapServers(),
                        conf.get(MuxflowOptions.RESPONSES_TOPIC), run + "w", false, new Properties(), warmupDiag);
                LoadGenerator g = new LoadGenerator(d.kafka.bootstrapServers(), conf.get(MuxflowOptions.REQUESTS_TOPIC),
                        new RequestFactory(run, TOKENS, 30000, index), Encoding.AVRO, new Properties())) {
            Thread.sleep(3000); // stages loaded
            CpuPinning pinning = pinning();
            if (pinning != null) {
                pinning.pinDevices(STAGE_THREADS); // threads the job starts later inherit the rest's CPUs
            }
            try {
                if (warmupSeconds > 0) {
                    g.replay(WorkloadSpec.generated(warmupSeconds, 200 + index, models).generate(),
                            new RequestFactory(run + "w", TOKENS, 30000, index + 50));
                    Thread.sleep(3000); // the warm-up's last requests done: the clocks in the past again
                }
                ServingBench.replayAndWait(g, c, w);
                double live = c.total().attainment();
                ObjectNode o = Json.object();
                o.put("load", load);
                o.put("rate", w.size() / seconds);
                o.put("requests", w.size());
                o.put("answered", c.total().responses());
                o.put("simulated_attainment", simAtt);
                o.put("live_attainment", live);
                o.put("difference_pp", 100 * (live - simAtt));
                o.put("plan", groups);
                o.put("stage_overhead", sim.stageOverheadPerStage());
                o.put("max_batch", batched ? sim.maxBatch() : 1);
                o.set("live", c.total().toJson());
                log.printf("fidelity-cpu: load %.2f%s: live attainment %.4f vs simulated %.4f (%+.2f percentage "
                        + "points), %d of %d answered%n", load, batched ? ", batches up to " + sim.maxBatch() : "", live,
                        simAtt, 100 * (live - simAtt), c.total().responses(), w.size());
                if (batched) {
                    // the post-hoc figures below replay the unbatched model, and a batch's stage time is
                    // not one request's: under batching only the prediction itself is compared
                    ObjectNode sizes = o.putObject("first_stage_runs_by_size");
                    new java.util.TreeMap<>(firstStageRuns.values().stream().collect(java.util.stream.Collectors
                            .groupingBy(v -> v, java.util.stream.Collectors.counting())))
                            .forEach((size, runs) -> sizes.put(Integer.toString(size), runs));
                    log.printf("    first-stage runs by requests in them: %s%n", sizes);
                    logPerModel(c);
                    return o;
                }
                o.put("executor_ratio", execSums[1] == 0 ? 0 : execSums[0] / execSums[1]);
                // Post hoc, to tell the two errors apart: the same plan and arrivals simulated with the
                // mean latencies the live executors had in this level (not a prediction: measured after).
                // Close to live: the simulator's model holds and the error is the profile's; far: the
                // model misses something the executor's mean does not carry (its tail, the Kafka legs).
                List<ModelProfile> measured = new ArrayList<>();
                for (int i = 0; i < models.size(); i++) {
                    measured.add(withMeasuredLatency(profiles.get(i), models.get(i).name(), execMs));
                }
                SimOptions exact = new SimOptions(sim.fixedOverheadS(), 0, sim.float32(), sim.warmupS(),
                        sim.batching(), sim.maxBatch());
                double simMeasured = attainment(new Simulation(w, measured, exact).outcomes(plan).good());
                o.put("simulated_attainment_measured_latency", simMeasured);
                o.put("difference_pp_measured_latency", 100 * (live - simMeasured));
                // ... and with each stage's time drawn from what the live executors took (the job's
                // admission, timeouts and clock corrections around it): the model with the variance in it.
                VariableServiceSimulator variable = new VariableServiceSimulator(w, simulation.table());
                io.muxflow.planner.plan.Placement placed = plan.placement(w.models());
                double simDrawn = attainment(variable.simulate(placed, drawFrom(execMs, models, 1000 + index),
                        REPORT_DELAY_S));
                o.put("simulated_attainment_measured_distribution", simDrawn);
                o.put("difference_pp_measured_distribution", 100 * (live - simDrawn));
                // ... and drawn from the times they took in the warm-up before the level (a prediction:
                // observed before the level; not the figure, which predicts from `muxflow profile`)
                double simWarmup = warmupMs.isEmpty() ? Double.NaN : attainment(variable.simulate(placed,
                        drawFrom(warmupMs, models, 2000 + index), REPORT_DELAY_S));
                o.put("warmup_executor_samples", warmupMs.values().stream().mapToInt(v -> v.size()).sum());
                if (!warmupMs.isEmpty()) {
                    o.put("simulated_attainment_warmup_distribution", simWarmup);
                    o.put("difference_pp_warmup_distribution", 100 * (live - simWarmup));
                }
                ObjectNode where = o.putObject("where_the_time_went");
                legs.write(where);
                log.printf("    legs p50/p99 ms: %s; live executor time / profiled %.3f%n", legs.breakdown(),
                        o.get("executor_ratio").asDouble());
                log.printf("    post hoc, simulated with the executors' measured mean latencies: %.4f (%+.2f pp); "
                        + "with service times drawn from their measured times: %.4f (%+.2f pp), from their warm-up "
                        + "times: %.4f (%+.2f pp)%n", simMeasured, 100 * (live - simMeasured), simDrawn,
                        100 * (live - simDrawn), simWarmup, 100 * (live - simWarmup));
                if (!hopMs.isEmpty()) {
                    where.putArray("stage_to_stage_p50_p99_ms").add(hopMs.percentile(0.5)).add(hopMs.percentile(0.99));
                    log.printf("    stage -> next stage p50/p99 ms: %.2f/%.2f%n", hopMs.percentile(0.5),
                            hopMs.percentile(0.99));
                }
                ObjectNode ex = where.putObject("executor_p50_ms");
                new java.util.TreeMap<>(execMs).forEach((k, v) -> {
                    ex.put(k, v.percentile(0.5));
                    log.printf("    executor %s p50 %.2f ms p99 %.2f ms%n", k, v.percentile(0.5), v.percentile(0.99));
                });
                logPerModel(c);
                return o;
            } finally {
                if (pinning != null) {
                    pinning.release();
                }
            }
        }
    }

    private void logPerModel(ResponseCollector c) {
        c.total().perModel().forEach((m, p) -> log.printf("    %s: %d responses, attainment %.4f, OK %d, REJECTED %d, "
                + "TIMED_OUT %d, latency p50 %.1f ms%n", m, p.responses(), p.attainment(),
                p.count(io.muxflow.schema.ResponseStatus.OK), p.count(io.muxflow.schema.ResponseStatus.REJECTED),
                p.count(io.muxflow.schema.ResponseStatus.TIMED_OUT), p.p50LatencyMs()));
        log.flush();
    }

    /** Adds each stage's executor time (ms) of response {@code r} to {@code into} under "model/stageK". */
    private static void recordStageTimes(Map<String, io.muxflow.job.loadgen.DoubleSeries> into,
            io.muxflow.schema.InferenceResponse r) {
        var st = r.getTimestamps().getStages();
        for (int k = 0; k < st.size(); k++) {
            into.computeIfAbsent(r.getModel() + "/stage" + k, x -> new io.muxflow.job.loadgen.DoubleSeries())
                    .add((st.get(k).getEndUs() - st.get(k).getStartUs()) / 1000.0);
        }
    }

    /** Completion reports reach the dispatcher about one Kafka hop after the stage ends (p50 here: 2-5 ms). */
    static final double REPORT_DELAY_S = 0.005;

    /** Service times drawn (seeded) from the live executors' times of the model's stage; the predicted one where none ran. */
    static VariableServiceSimulator.ServiceTimes drawFrom(Map<String, io.muxflow.job.loadgen.DoubleSeries> execMs,
            List<ModelSpec> models, long seed) {
        java.util.Random rng = new java.util.Random(seed);
        Map<String, double[]> times = new HashMap<>();
        execMs.forEach((k, v) -> times.put(k, v.toArray()));
        return (group, model, stage, predicted) -> {
            double[] t = times.get(models.get(model).name() + "/stage" + stage);
            return t == null || t.length == 0 ? predicted : t[rng.nextInt(t.length)] / 1000.0;
        };
    }

    /**
     * {@code p} with each configuration's batch-1 stage latencies replaced by the mean of what the
     * live executors took for {@code model} at those stages ({@code execMs}: "model/stageK" -> ms),
     * where every stage of that configuration was measured; other configurations as profiled.
     */
    static ModelProfile withMeasuredLatency(ModelProfile p, String model,
            Map<String, io.muxflow.job.loadgen.DoubleSeries> execMs) {
        List<io.muxflow.planner.profile.ConfigProfile> configs = new ArrayList<>();
        for (io.muxflow.planner.profile.ConfigProfile c : p.configs()) {
            double[] mean = new double[c.stages()];
            boolean all = true;
            for (int k = 0; k < mean.length && all; k++) {
                io.muxflow.job.loadgen.DoubleSeries ms = execMs.get(model + "/stage" + k);
                all = ms != null && !ms.isEmpty();
                if (all) {
                    mean[k] = java.util.Arrays.stream(ms.toArray()).average().orElseThrow() / 1000.0;
                }
            }
            // the measured stages belong to the plan's configuration: the one with that many stages
            all &= !execMs.containsKey(model + "/stage" + mean.length);
            configs.add(all ? new io.muxflow.planner.profile.ConfigProfile(c.config(), Map.of(1, mean), c.weightBytes(),
                    c.actBytes()) : c);
        }
        return new ModelProfile(p.model(), configs);
    }

    private static double attainment(boolean[] good) {
        int n = 0;
        for (boolean g : good) {
            n += g ? 1 : 0;
        }
        return good.length == 0 ? 0 : (double) n / good.length;
    }

    /** What every result file of this bench starts with: the setup and the job settings. */
    private ObjectNode header() {
        ObjectNode root = Json.object();
        root.put("backend", "cpu");
        root.put("devices", devices);
        root.put("cpu_threads_per_device", 1);
        root.put("tokens_per_request", TOKENS);
        root.put("cv", cv);
        root.put("slo_scale", sloScale);
        root.put("seconds", seconds);
        root.put("warmup_seconds", warmupSeconds);
        root.put("cpu_pinning", pinningNote());
        ObjectNode set = root.putObject("settings");
        settings.forEach(set::put);
        return root;
    }

    public ObjectNode run(Path dir, double[] loads) throws Exception {
        ProfileDatabase db = profile(dir.resolve("profiles"));
        ObjectNode root = header();
        root.put("profiled", "before every level: this machine's speed drifts by 20% and more over minutes, so a "
                + "level is planned and simulated with profiles taken just before it is served");
        ObjectNode levels = root.putObject("levels");
        double live = 0;
        double profiled = 0;
        for (int i = 0; i < loads.length; i++) {
            if (i > 0) {
                db = profile(dir.resolve("profiles-" + i), false);
            }
            ObjectNode l = level(dir, db, loads[i], i, null);
            putProfiles(l, db);
            levels.set(String.format("%.2f", loads[i]), l);
            live += l.get("executor_ratio").asDouble() * l.get("requests").asDouble();
            profiled += l.get("requests").asDouble();
        }
        // Calibrated: the live/profiled executor ratio the runs above measured becomes the stage
        // overhead factor of the simulator and of the job's admission, then the same levels run again
        // (new arrivals): how much of the gap is the executor running slower while serving (beside
        // Kafka and Flink) than while profiled.
        double ratio = live / profiled;
        double factor = Math.max(0, ratio - 1); // one-stage plans: latency x (1 + factor)
        root.put("measured_executor_ratio", ratio);
        root.put("calibrated_stage_overhead", factor);
        log.printf("fidelity-cpu: live executors took %.3f x the profiled time; again with stage overhead %.3f%n",
                ratio, factor);
        ObjectNode cal = root.putObject("calibrated_levels");
        for (int i = 0; i < loads.length; i++) {
            db = profile(dir.resolve("profiles-calibrated-" + i), false);
            ObjectNode l = level(dir, db, loads[i], loads.length + i, factor);
            putProfiles(l, db);
            cal.set(String.format("%.2f", loads[i]), l);
        }
        return root;
    }

    /**
     * Batching decided by measurement: profiles with batch sizes up to {@code max}, then each level
     * served live twice on the same arrivals, without batching and with batches up to {@code max}
     * (planned and simulated the same way each time).
     */
    public ObjectNode runBatching(Path dir, double[] loads, int max) throws Exception {
        if (max < 2) {
            throw new InvalidInputException("--batching must be 2 or more, got " + max);
        }
        profiledBatch = max;
        ObjectNode root = header();
        root.put("max_batch", max);
        ObjectNode levels = root.putObject("levels");
        for (int i = 0; i < loads.length; i++) {
            ProfileDatabase db = profile(dir.resolve("profiles-" + i), i == 0);
            ObjectNode both = levels.putObject(String.format("%.2f", loads[i]));
            maxBatch = 1;
            both.set("unbatched", level(dir, db, loads[i], i, null));
            maxBatch = max;
            both.set("batched", level(dir, db, loads[i], i, null));
            maxBatch = 1;
            putProfiles(both, db);
            both.put("live_gain_pp", 100 * (both.get("batched").get("live_attainment").asDouble()
                    - both.get("unbatched").get("live_attainment").asDouble()));
            both.put("simulated_gain_pp", 100 * (both.get("batched").get("simulated_attainment").asDouble()
                    - both.get("unbatched").get("simulated_attainment").asDouble()));
        }
        return root;
    }

    private void putProfiles(ObjectNode level, ProfileDatabase db) {
        ObjectNode prof = level.putObject("profiles_s");
        for (String s : SHAPES) {
            prof.put(s, db.require(s, "fidelity-cpu").singleDeviceLatency());
            var pp1 = db.require(s, "fidelity-cpu").config(io.muxflow.planner.profile.ParallelConfig.of(1, 1));
            for (int b = 2; b <= profiledBatch && pp1.isPresent(); b *= 2) {
                if (pp1.get().hasBatch(b)) {
                    prof.put(s + "@batch" + b, pp1.get().latency(b)[0]);
                }
            }
        }
    }
}
