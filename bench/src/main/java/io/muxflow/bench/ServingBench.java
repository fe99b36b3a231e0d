package io.muxflow.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.job.JobGraphs;
import io.muxflow.job.KafkaServingIO;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.loadgen.DoubleSeries;
import io.muxflow.job.loadgen.LoadGenerator;
import io.muxflow.job.loadgen.RequestFactory;
import io.muxflow.job.loadgen.ResponseCollector;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.job.local.LocalCluster;
import io.muxflow.job.local.Topics;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.io.TempDir;
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
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.PowerLaw;
import io.muxflow.planner.workload.Workload;
import io.muxflow.planner.workload.WorkloadSpec;
import io.muxflow.schema.codec.Encoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.WebOptions;

/**
 * {@code muxflow bench serving}: (1) the serving overhead, end-to-end latency (client send to
 * response consumed) minus executor time, at several request rates with the emulated backend and
 * zero-latency stages, and the same load through a bare {@link KafkaRelay} (the floor of the two Kafka
 * hops on this machine); (2) fidelity: one bursty multi-model workload through the live job (emulated,
 * 8 devices, AlpaServe's published profiles) and through the simulator on the same plan and arrivals.
 */
public final class ServingBench {
    private final PrintWriter log;
    private final ProfileDatabase published;
    private double warmupSeconds = DEFAULT_WARMUP_SECONDS;
    private double warmupRate = DEFAULT_WARMUP_RATE;
    private String cpuLatencyQos = "not asked for";
    private PrintWriter trace;

    /**
     * Long enough for the JIT to settle at the middle rate: its C2 queue drained about 130 s into the
     * load, and until then the compiler took 35-50% of a core (docs/BENCHMARKS.md).
     */
    public static final double DEFAULT_WARMUP_SECONDS = 180;
    public static final double DEFAULT_WARMUP_RATE = 1000;
    // the slow requests were sent 0-100 ms after a trigger (docs/BENCHMARKS.md); 20 ms of slack before
    // it covers the client's and the job manager's clocks being read at different moments
    static final long CHECKPOINT_WINDOW_BEFORE_US = 20_000;
    static final long CHECKPOINT_WINDOW_AFTER_US = 150_000;

    public ServingBench(ProfileDatabase published, PrintWriter log) {
        this.published = published;
        this.log = log;
    }

    /**
     * Also writes one CSV line per overhead response (warm-up included): client send, received,
     * dispatched, finished and consumed times in microseconds, for looking at latency over time.
     */
    public ServingBench trace(PrintWriter csv) {
        this.trace = csv;
        csv.println("client_send_us,received_us,dispatched_us,finished_us,consumed_us");
        return this;
    }

    /** What the process holds of Linux's CPU latency QoS while measuring, recorded with each rate's host load. */
    public ServingBench cpuLatencyQos(String detail) {
        this.cpuLatencyQos = detail;
        return this;
    }

    /** Load before the measured overhead rates (same deployment, not measured). */
    public ServingBench warmup(double seconds, double rate) {
        if (!(seconds >= 0) || !(rate > 0)) {
            throw new io.muxflow.planner.InvalidInputException("warm-up needs seconds >= 0 and a rate > 0, got " + seconds + " s at " + rate);
        }
        this.warmupSeconds = seconds;
        this.warmupRate = rate;
        return this;
    }

    /** What answers the bench's requests on a broker of its own: the serving job, or the bare relay. */
    private interface Target extends AutoCloseable {
        String bootstrap();

        /** Trigger times (epoch microseconds) of the checkpoints so far; none where nothing checkpoints. */
        default long[] checkpointTriggersUs() throws Exception {
            return new long[0];
        }
    }

    /** A fresh broker in {@code dir}/kafka with the deployment's topics (closed again if they cannot be made). */
    private static EmbeddedKafka broker(Path dir, Configuration conf) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        try {
            kafka.createTopics(Topics.of(conf));
            return kafka;
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
    }

    /** The floor: a fresh broker and a {@link KafkaRelay} between the requests and responses topics. */
    private static final class Relay implements Target {
        final EmbeddedKafka kafka;
        final KafkaRelay relay;

        Relay(Path dir, Configuration conf) throws Exception {
            kafka = broker(dir, conf);
            try {
                relay = new KafkaRelay(kafka.bootstrapServers(), conf.get(MuxflowOptions.REQUESTS_TOPIC),
                        conf.get(MuxflowOptions.RESPONSES_TOPIC));
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
        }

        @Override
        public String bootstrap() {
            return kafka.bootstrapServers();
        }

        @Override
        public void close() throws Exception {
            relay.close();
            kafka.close();
        }
    }

    /** A running deployment: broker, Flink and the job. */
    static final class Deployment implements Target {
        final EmbeddedKafka kafka;
        final LocalCluster flink;
        final Configuration conf;
        final JobID job;

        Deployment(Path dir, Plan plan, ProfileDatabase profiles, Configuration conf) throws Exception {
            this.conf = conf;
            kafka = broker(dir, conf);
            conf.set(MuxflowOptions.BOOTSTRAP, kafka.bootstrapServers());
            JobSpec spec = JobSpec.of(plan, profiles, conf);
            flink = new LocalCluster(conf, JobGraphs.slots(spec) + 1, 0);
            job = flink.submit(JobGraphs.serving(spec, conf, new KafkaServingIO(conf), null));
        }

        @Override
        public long[] checkpointTriggersUs() throws Exception {
            return flink.miniCluster().getExecutionGraph(job).get().getCheckpointStatsSnapshot().getHistory()
                    .getCheckpoints().stream().mapToLong(c -> c.getTriggerTimestamp() * 1000).toArray();
        }

        @Override
        public String bootstrap() {
            return kafka.bootstrapServers();
        }

        @Override
        public void close() throws Exception {
            try {
                flink.cancel(job);
            } catch (Exception ignored) {
                // gone already
            }
            flink.close();
            kafka.close();
        }
    }

    ObjectNode overhead(Path dir, double[] rates, double seconds, long bufferTimeoutMs) throws Exception {
        return overhead(dir, rates, seconds, bufferTimeoutMs, false, Map.of());
    }

    /**
     * Serving overhead; the adaptation side stream is off unless asked for, because its periodic
     * re-planning search competes with the serving path for this machine's two cores.
     */
    ObjectNode overhead(Path dir, double[] rates, double seconds, long bufferTimeoutMs, boolean adapt,
            Map<String, String> settings) throws Exception {
        ModelProfile zero = new ModelProfile("zero", List.of(new io.muxflow.planner.profile.ConfigProfile(
                io.muxflow.planner.profile.ParallelConfig.of(1, 1), Map.of(1, new double[] {1e-6}), new long[] {1},
                Map.of())));
        Plan plan = Plan.parse(Json.parse("""
                {"version": 1, "policy": "bench", "groups": [
                  {"id": 0, "devices": 1, "pp": 1, "models": ["z"]}, {"id": 1, "devices": 1, "pp": 1, "models": ["z"]}],
                 "model_profiles": {"z": "zero"}}""", "plan"), "plan");
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.BACKEND, "emulated");
        conf.set(MuxflowOptions.EMULATED_TIME_SCALE, 0.0);
        conf.set(MuxflowOptions.BUFFER_TIMEOUT, java.time.Duration.ofMillis(bufferTimeoutMs));
        conf.set(MuxflowOptions.ADAPT, adapt);
        conf.setString("execution.checkpointing.dir", dir.resolve("cp").toUri().toString());
        // every checkpoint of the longest measured run, for CheckpointShare
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, (int) Math.max(seconds, warmupSeconds) + 100);
        settings.forEach(conf::setString);
        ObjectNode o = Json.object();
        o.put("buffer_timeout_ms", bufferTimeoutMs);
        o.put("adaptation", adapt);
        o.put("warmup_seconds", warmupSeconds);
        o.put("warmup_rate", warmupRate);
        ObjectNode set = o.putObject("settings");
        settings.forEach(set::put);
        try (Deployment d = new Deployment(dir.resolve("overhead-" + bufferTimeoutMs), plan,
                new ProfileDatabase(List.of(zero)), conf)) {
            measure(d, conf, rates, seconds, "job (buffer timeout " + bufferTimeoutMs + " ms): ", o.putArray("rates"));
        }
        return o;
    }

    /**
     * The same measurement with a {@link KafkaRelay} in place of the job, on a broker of its own: the
     * two Kafka hops alone, the floor the job's overhead stands on on this machine.
     */
    ObjectNode kafkaFloor(Path dir, double[] rates, double seconds) throws Exception {
        Configuration conf = new Configuration();
        ObjectNode o = Json.object();
        o.put("warmup_seconds", warmupSeconds);
        o.put("warmup_rate", warmupRate);
        try (Relay r = new Relay(dir.resolve("kafka-floor"), conf)) {
            measure(r, conf, rates, seconds, "kafka floor: ", o.putArray("rates"));
        }
        return o;
    }

    /**
     * Sends Poisson arrivals of one zero-latency model at each rate (after the warm-up, on the same
     * target) and adds one row per rate: overhead and end-to-end percentiles and where the time went.
     * One producer and one response reader serve the warm-up and every rate: a fresh client's first
     * second (connections, metadata, its own code paths still cold) is the client's start-up, not the
     * serving overhead the warm-up is there to leave behind.
     */
    private void measure(Target d, Configuration conf, double[] rates, double seconds, String label, ArrayNode rows)
            throws Exception {
        String bench = "ovh" + Long.toString(System.nanoTime() % 100000, 36);
        AtomicReference<OverheadSample> current = new AtomicReference<>(new OverheadSample(bench + "-none-", null));
        try (ResponseCollector c = new ResponseCollector(d.bootstrap(), conf.get(MuxflowOptions.RESPONSES_TOPIC),
                bench, false, new Properties(), r -> current.get().accept(r));
                LoadGenerator g = new LoadGenerator(d.bootstrap(), conf.get(MuxflowOptions.REQUESTS_TOPIC),
                        new RequestFactory(bench, 16, 30000, 7), Encoding.AVRO, new Properties())) {
            for (int i = -1; i < rates.length; i++) {
                if (i < 0 && warmupSeconds == 0) {
                    continue;
                }
                double rate = i < 0 ? warmupRate : rates[i];
                double secs = i < 0 ? warmupSeconds : seconds; // the first run warms up the JIT and the clients
                String run = bench + "-r" + (i + 1);
                OverheadSample sample = new OverheadSample(run + "-", trace);
                current.set(sample);
                Workload w = WorkloadSpec.generated(secs, 42 + i, List.of(new ModelSpec("z", "zero", rate, 1.0, 10.0)))
                        .generate();
                Optional<HostLoad.Counters> before = HostLoad.read();
                long t0 = System.nanoTime();
                g.replay(w, new RequestFactory(run, 16, 30000, i + 7));
                double sendSeconds = (System.nanoTime() - t0) / 1e9;
                long end = System.nanoTime() + 30_000_000_000L;
                while (sample.answered() < w.size() && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                Optional<HostLoad.Counters> after = HostLoad.read();
                if (i < 0) {
                    continue;
                }
                ObjectNode r = rows.addObject();
                r.put("target_rate", rate);
                r.put("sent", w.size());
                r.put("achieved_send_rate", w.size() / sendSeconds);
                sample.write(r);
                DoubleSeries lag = g.lastLagMs();
                double lagP99 = lag.percentile(0.99);
                double lagMax = lag.percentile(1.0);
                r.putObject("client_send_lag_ms").put("p99", lagP99).put("max", lagMax);
                log.printf("    p50/p99 ms: %s%n", sample.breakdown());
                log.printf("    client sends late against their schedule (counted in the latencies): p99 %.2f ms, max %.2f ms%n",
                        lagP99, lagMax);
                long[] triggers = d.checkpointTriggersUs();
                if (triggers.length > 0) {
                    CheckpointShare cs = sample.checkpointShare(triggers, CHECKPOINT_WINDOW_BEFORE_US,
                            CHECKPOINT_WINDOW_AFTER_US);
                    ObjectNode cp = r.putObject("checkpoints");
                    cp.put("count", cs.checkpoints());
                    cp.putArray("window_ms").add(-CHECKPOINT_WINDOW_BEFORE_US / 1000).add(CHECKPOINT_WINDOW_AFTER_US / 1000);
                    cp.put("requests_in_windows", cs.windowShare());
                    cp.put("slow_in_windows", cs.slowShare());
                    cp.put("overhead_p99_outside_ms", cs.p99Outside());
                    log.printf("    checkpoints: %d; %.0f%% of requests were sent from %d ms before to %d ms after a trigger,"
                            + " %.0f%% of those at or above p99 among them; p99 of the others %.2f ms%n", cs.checkpoints(),
                            100 * cs.windowShare(), CHECKPOINT_WINDOW_BEFORE_US / 1000, CHECKPOINT_WINDOW_AFTER_US / 1000,
                            100 * cs.slowShare(), cs.p99Outside());
                }
                if (before.isPresent() && after.isPresent()) {
                    HostLoad h = HostLoad.between(before.get(), after.get());
                    ObjectNode host = r.putObject("host");
                    h.writeTo(host);
                    host.put("cpu_latency_qos", cpuLatencyQos);
                    log.printf("    machine: %s%n", h);
                }
                log.printf("%soverhead at %5.0f req/s: p50 %.2f ms, p99 %.2f ms (%d of %d answered, sent at %.0f req/s)%n",
                        label, rate, sample.overheadPct(0.5), sample.overheadPct(0.99), sample.answered(), w.size(),
                        w.size() / sendSeconds);
                log.flush();
            }
        }
    }

    /**
     * Attainment of one bursty multi-model workload through the live job against the simulator on the
     * same plan. With a warm-up, the same models' traffic (another seed) runs unmeasured on the same
     * deployment first: on a fresh JVM the JIT compiler otherwise takes a large share of the two cores
     * during the measured run and the live job misses deadlines the simulator does not.
     */
    ObjectNode fidelity(Path dir, double seconds, double warmup, Map<String, String> settings) throws Exception {
        int devices = 8;
        int n = 8;
        double totalRate = 40;
        double cv = 4;
        ModelProfile bert = published.require("bert-1.3b", "bench");
        double[] rates = PowerLaw.split(totalRate, n, PowerLaw.DEFAULT_ALPHA);
        List<ModelSpec> models = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            models.add(new ModelSpec("m" + i, "bert-1.3b", rates[i], cv, 5 * bert.singleDeviceLatency()));
        }
        Workload w = WorkloadSpec.generated(seconds, 11, models).generate();
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.BACKEND, "emulated");
        conf.setString("execution.checkpointing.dir", dir.resolve("cp2").toUri().toString());
        settings.forEach(conf::setString);
        double fixed = conf.get(MuxflowOptions.FIXED_OVERHEAD).toNanos() / 1e9;
        SimOptions sim = SimOptions.defaults().withOverheads(fixed, conf.get(MuxflowOptions.STAGE_OVERHEAD)).withWarmup(0);
        List<ModelProfile> profiles = Collections.nCopies(n, bert);
        PlacementProblem problem = new PlacementProblem(profiles, w, Cluster.of(devices, 13), sim, SearchOptions.defaults());
        Plan plan = new AlpaServeSearch().place(problem, SearchProgress.NONE);
        Map<String, String> mp = new HashMap<>();
        models.forEach(m -> mp.put(m.name(), "bert-1.3b"));
        plan = plan.withModelProfiles(mp);
        Outcomes simulated = new Simulation(w, profiles, sim).outcomes(plan);
        int simGood = 0;
        for (boolean g : simulated.good()) {
            simGood += g ? 1 : 0;
        }
        double simAtt = (double) simGood / w.size();
        log.printf("fidelity: plan %s; %d requests over %.0f s; simulator attainment %.4f%n",
                plan.groups().stream().map(g -> g.devices() + "x(pp" + g.pp() + ")" + g.models().size()).toList(),
                w.size(), seconds, simAtt);
        log.flush();
        String run = "fid" + Long.toString(System.nanoTime() % 100000, 36);
        try (Deployment d = new Deployment(dir.resolve("fidelity"), plan, new ProfileDatabase(List.of(bert)), conf);
                ResponseCollector c = new ResponseCollector(d.kafka.bootstrapServers(),
                        conf.get(MuxflowOptions.RESPONSES_TOPIC), run, false, new Properties(), null);
                LoadGenerator g = new LoadGenerator(d.kafka.bootstrapServers(), conf.get(MuxflowOptions.REQUESTS_TOPIC),
                        new RequestFactory(run, 16, 30000, 3), Encoding.AVRO, new Properties())) {
            Thread.sleep(3000); // stages loaded
            if (warmup > 0) {
                log.printf("fidelity: warming up for %.0f s on the same models (not measured)%n", warmup);
                log.flush();
                g.replay(WorkloadSpec.generated(warmup, 12, models).generate(), new RequestFactory(run + "w", 16, 30000, 4));
                Thread.sleep(5000); // the warm-up's last requests done: every clock in the past again
            }
            replayAndWait(g, c, w);
            double live = c.total().attainment();
            ObjectNode o = Json.object();
            o.put("devices", devices);
            o.put("models", n);
            o.put("total_rate", totalRate);
            o.put("cv", cv);
            o.put("slo_scale", 5);
            o.put("warmup_seconds", warmup);
            ObjectNode set = o.putObject("settings");
            settings.forEach(set::put);
            o.put("requests", w.size());
            o.put("answered", c.total().responses());
            o.put("simulated_attainment", simAtt);
            o.put("live_attainment", live);
            o.put("difference_pp", 100 * (live - simAtt));
            o.put("plan", Json.compact(plan.toJson()));
            log.printf("fidelity: live attainment %.4f vs simulated %.4f (%.2f percentage points)%n", live, simAtt,
                    100 * (live - simAtt));
            log.flush();
            return o;
        }
    }

    /** Sends {@code w} on its schedule, then waits up to 60 s for every response to have been read. */
    static void replayAndWait(LoadGenerator g, ResponseCollector c, Workload w) throws Exception {
        g.replay(w);
        long end = System.nanoTime() + 60_000_000_000L;
        while (c.total().responses() < w.size() && System.nanoTime() < end) {
            Thread.sleep(100);
        }
    }

    /**
     * Just the overhead at one buffer timeout (for quick experiments); with {@code kafkaFloor}, then
     * the same rates through the bare relay, so the two compare within one run.
     */
    public ObjectNode overheadOnly(double[] rates, double seconds, long bufferTimeoutMs, boolean adapt,
            Map<String, String> settings, boolean kafkaFloor) throws Exception {
        try (TempDir dir = TempDir.create("muxflow-bench")) {
            ObjectNode o = overhead(dir.path(), rates, seconds, bufferTimeoutMs, adapt, settings);
            if (kafkaFloor) {
                o.set("kafka_floor", kafkaFloor(dir.path(), rates, seconds));
            }
            return o;
        }
    }

    /** Just the fidelity part, after the bench's warm-up (the full run needs none: its JVM is warm by then). */
    public ObjectNode fidelityOnly(Map<String, String> settings) throws Exception {
        try (TempDir dir = TempDir.create("muxflow-bench")) {
            return fidelity(dir.path(), 120, warmupSeconds, settings);
        }
    }

    public ObjectNode run(Path outDir, double seconds) throws Exception {
        try (TempDir dir = TempDir.create("muxflow-bench")) {
            ObjectNode root = Json.object();
            root.set("overhead", overhead(dir.path(), new double[] {200, 1000, 5000}, seconds, 1));
            root.set("overhead_flush_every_record", overhead(dir.path(), new double[] {200, 1000, 5000}, seconds, 0));
            root.set("kafka_floor", kafkaFloor(dir.path(), new double[] {200, 1000, 5000}, seconds));
            root.set("fidelity", fidelity(dir.path(), 120, 0, Map.of()));
            Json.write(outDir.resolve("serving.json"), root);
            return root;
        }
    }
}
