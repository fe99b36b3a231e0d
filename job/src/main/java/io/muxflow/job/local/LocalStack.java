package io.muxflow.job.local;

import io.muxflow.job.JobGraphs;
import io.muxflow.job.KafkaServingIO;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.ModelCatalog;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.control.CheckpointWatch;
import io.muxflow.job.control.Controller;
import io.muxflow.job.control.JobLauncher;
import io.muxflow.job.control.RestClusterAccess;
import io.muxflow.job.control.SavepointRealizer;
import io.muxflow.job.loadgen.LoadGenerator;
import io.muxflow.job.loadgen.RequestFactory;
import io.muxflow.job.loadgen.ResponseCollector;
import io.muxflow.job.loadgen.ResponseStats;
import io.muxflow.planner.io.TempDir;
import io.muxflow.planner.placement.AlpaServeSearch;
import io.muxflow.planner.placement.Cluster;
import io.muxflow.planner.placement.PlacementProblem;
import io.muxflow.planner.placement.SearchOptions;
import io.muxflow.planner.placement.SearchProgress;
import io.muxflow.planner.plan.ChainDeployment;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.PowerLaw;
import io.muxflow.planner.workload.WorkloadSpec;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.codec.Encoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;

/**
 * {@code bin/muxflow local}: the whole stack in one JVM. A real Kafka broker (KRaft) with its data in
 * a work directory, Flink with its web dashboard, the serving job on a plan the planner makes for the
 * models and load at hand, a load generator with Gamma arrivals, and a summary every few seconds.
 */
public final class LocalStack implements AutoCloseable {
    /** What to run. */
    public record Options(String backend, int devices, double memGb, List<Path> profiles, int models, double rate,
            double cv, double sloScale, int uiPort, int prometheusPort, int seq, double durationS, double summaryS,
            long seed, boolean adapt, boolean recommendOnly, double shiftAtS, double llmRate, double warmupS,
            int maxBatch) {
    }

    private final Options o;
    private final PrintWriter out;
    private final Path workDir;
    private EmbeddedKafka kafka;
    private LocalCluster flink;
    private LoadGenerator loadgen;
    private ResponseCollector collector;
    private JobID job;
    private final Configuration conf = new Configuration();
    private final AtomicReference<List<LoadGenerator.Stream>> streams = new AtomicReference<>();
    private List<ModelSpec> specs;
    private Controller controller;
    private RestClusterAccess rest;
    private SavepointRealizer realizer;
    private volatile boolean shifted;
    private final CheckpointWatch checkpoints = new CheckpointWatch();
    /** The LLM's generation requests (cpu backend), or null. */
    private LoadGenerator.Stream llmStream;

    public LocalStack(Options o, PrintWriter out) throws Exception {
        this.o = o;
        this.out = out;
        this.workDir = Files.createTempDirectory("muxflow-local");
    }

    public Configuration conf() {
        return conf;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** Starts everything; returns once the job runs and load flows. */
    public void start() throws Exception {
        boolean emulated = o.backend().equals("emulated");
        LocalModels.Models models = emulated ? LocalModels.emulated(o.profiles(), o.models())
                : LocalModels.cpu(o.seq(), o.maxBatch(), out);
        conf.set(MuxflowOptions.BACKEND, o.backend());
        conf.set(MuxflowOptions.MAX_BATCH, o.maxBatch());
        conf.set(MuxflowOptions.CHECKPOINT_INTERVAL, java.time.Duration.ofSeconds(1));
        // adaptation at a pace a person can watch
        conf.set(MuxflowOptions.ADAPT, o.adapt());
        conf.set(MuxflowOptions.RECOMMEND_ONLY, o.recommendOnly());
        conf.set(MuxflowOptions.STATS_WINDOW, java.time.Duration.ofSeconds(30));
        conf.set(MuxflowOptions.STATS_SLIDE, java.time.Duration.ofSeconds(2));
        conf.set(MuxflowOptions.EVALUATION_INTERVAL, java.time.Duration.ofSeconds(10));
        conf.set(MuxflowOptions.STABILIZATION, java.time.Duration.ofSeconds(15));
        conf.set(MuxflowOptions.COOLDOWN, java.time.Duration.ofSeconds(45));
        conf.set(MuxflowOptions.ADAPT_MEM_GB, o.memGb());
        double[] rates = PowerLaw.split(o.rate(), models.models().size(), PowerLaw.DEFAULT_ALPHA);
        specs = new ArrayList<>();
        for (int i = 0; i < models.models().size(); i++) {
            ModelSpec m = models.models().get(i);
            ModelProfile p = models.profiles().require(m.profile(), "local");
            specs.add(new ModelSpec(m.name(), m.profile(), rates[i], o.cv(), o.sloScale() * p.singleDeviceLatency()));
        }
        WorkloadSpec expected = WorkloadSpec.generated(120, o.seed(), specs);
        SimOptions sim = JobSpec.simOptions(conf); // the job's own prediction model, batching included
        PlacementProblem problem = new PlacementProblem(
                specs.stream().map(s -> models.profiles().require(s.profile(), "local")).toList(), expected.generate(),
                Cluster.of(o.devices(), o.memGb()), sim, SearchOptions.defaults());
        Plan plan = new AlpaServeSearch().place(problem, SearchProgress.NONE);
        out.printf("plan v%d for %d models on %d %s device(s), predicted attainment %.3f:%n", plan.version(),
                specs.size(), o.devices(), o.backend(), plan.predictedAttainment());
        for (Plan.Group g : plan.groups()) {
            out.printf("  group %d: %d device(s), pp=%d, op=%d: %s%n", g.id(), g.devices(), g.pp(), g.op(), g.models());
        }
        if (!emulated && o.llmRate() > 0) {
            ChainDeployment llm = LocalChainLlm.plan(o.llmRate(), out);
            plan = plan.withChains(List.of(llm));
            for (ChainDeployment.Server sv : llm.servers()) {
                out.printf("  chain server %d (%s, memory %.1f blocks): blocks [%d, %d)%n", sv.id(), sv.name(),
                        sv.memoryGb(), sv.start(), sv.start() + sv.count());
            }
            for (int i = 0; i < llm.chains().size(); i++) {
                ChainDeployment.Chain c = llm.chains().get(i);
                out.printf("  chain %d: servers %s running %s blocks, %d jobs at a time%n", i,
                        java.util.Arrays.toString(c.servers()), java.util.Arrays.toString(c.blocks()), c.capacity());
            }
            double fastest = llm.chains().stream().mapToDouble(ChainDeployment.Chain::serviceS).min().orElse(1);
            llmStream = new LoadGenerator.Stream(LocalChainLlm.NAME, o.llmRate(), 1.0,
                    (long) (Math.max(2.0, o.sloScale() * fastest) * 1e6), LocalChainLlm.TOKENS);
        }
        out.flush();

        kafka = EmbeddedKafka.start(workDir.resolve("kafka"));
        conf.set(MuxflowOptions.BOOTSTRAP, kafka.bootstrapServers());
        kafka.createTopics(Topics.of(conf));
        if (o.prometheusPort() > 0) {
            conf.setString("metrics.reporter.prom.factory.class",
                    "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            conf.setString("metrics.reporter.prom.port", Integer.toString(o.prometheusPort()));
            // label values keep the model's name (Prometheus allows any text there; Flink's default rewrites
            // bert-a to bert_a)
            conf.setString("metrics.reporter.prom.filterLabelValueCharacters", "false");
        }
        conf.setString("execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
        conf.setString("execution.checkpointing.savepoint-dir", workDir.resolve("savepoints").toUri().toString());
        JobSpec spec = JobSpec.of(plan, models.profiles(), conf);
        // room for a redeployed plan that needs more stage slots than this one
        flink = new LocalCluster(conf, JobGraphs.slots(spec) + 2 * o.devices() + 2, o.uiPort());
        JobLauncher launcher = new JobLauncher(models.profiles(), conf, null);
        job = flink.submit(launcher.create(plan, null, -1));
        rest = new RestClusterAccess(flink.restAddress());
        if (o.adapt()) {
            realizer = new SavepointRealizer(rest, launcher, workDir.resolve("savepoints").toUri().toString(), 120_000,
                    job);
            controller = new Controller(kafka.bootstrapServers(), conf.get(MuxflowOptions.PLANS_TOPIC), new Properties(),
                    realizer, plan.version(), out, r -> {
                        if (!r.action.equals("KEEP")) {
                            out.printf("[plans] %s v%d -> v%d: %s%n", r.action, r.fromVersion, r.version, r.reason);
                            out.flush();
                        }
                    }, conf.get(MuxflowOptions.DEAD_LETTER_TOPIC));
        }

        String run = "local" + Long.toString(System.currentTimeMillis() % 100000, 36);
        collector = new ResponseCollector(kafka.bootstrapServers(), conf.get(MuxflowOptions.RESPONSES_TOPIC), run, false,
                new Properties(), null);
        int vocab = specs.stream().mapToInt(s -> ModelCatalog.config(s.profile(), o.backend(), null).vocab()).min()
                .orElse(30000);
        loadgen = new LoadGenerator(kafka.bootstrapServers(), conf.get(MuxflowOptions.REQUESTS_TOPIC),
                new RequestFactory(run, o.seq(), vocab, o.seed()), Encoding.AVRO, new Properties());
        List<LoadGenerator.Stream> s = new ArrayList<>();
        for (ModelSpec m : specs) {
            s.add(new LoadGenerator.Stream(m.name(), m.rate(), m.cv(), (long) (m.sloS() * 1e6)));
        }
        if (llmStream != null) {
            s.add(llmStream);
        }
        streams.set(s);
        warmUp(vocab);
        loadgen.startOpenEnded(streams::get, o.seed());

        String first = specs.get(0).name();
        out.printf("%nFlink dashboard:  %s%n", flink.restAddress());
        out.printf("Kafka bootstrap:  %s (topics %s, %s)%n", kafka.bootstrapServers(),
                conf.get(MuxflowOptions.REQUESTS_TOPIC), conf.get(MuxflowOptions.RESPONSES_TOPIC));
        if (o.prometheusPort() > 0) {
            out.printf("Prometheus:       http://localhost:%d/metrics%n", o.prometheusPort());
        }
        out.printf("Try it:           echo '{\"request_id\": \"hello-1\", \"model\": \"%s\", \"slo_ms\": 2000, "
                + "\"token_ids\": [101, 7592, 102]}' | kcat -b %s -t %s -k %s -P%n", first, kafka.bootstrapServers(),
                conf.get(MuxflowOptions.REQUESTS_TOPIC), first);
        out.printf("                  kcat -b %s -t %s -C -o end -f '%%s\\n'%n", kafka.bootstrapServers(),
                conf.get(MuxflowOptions.RESPONSES_TOPIC));
        if (llmStream != null) {
            out.printf("Generate:         echo '{\"request_id\": \"gen-1\", \"model\": \"%s\", \"slo_ms\": 10000, "
                    + "\"max_new_tokens\": 8, \"token_ids\": [464, 2068, 7586]}' | kcat -b %s -t %s -k %s -P%n",
                    LocalChainLlm.NAME, kafka.bootstrapServers(), conf.get(MuxflowOptions.REQUESTS_TOPIC),
                    LocalChainLlm.NAME);
        }
        out.printf("Load: %.1f req/s over %d models, cv %.1f, SLO %.1f x single-device latency. Ctrl-C stops.%n",
                o.rate(), specs.size(), o.cv(), o.sloScale());
        out.printf("Adaptation: %s. Type 's' + Enter to make %s hot and bursty (a shift)%s, 'q' + Enter to quit.%n%n",
                !o.adapt() ? "off (--no-adapt)" : o.recommendOnly() ? "recommend only" : "on",
                specs.get(0).name(), o.shiftAtS() > 0 ? String.format(" (automatic at %.0f s)", o.shiftAtS()) : "");
        out.flush();
    }

    /**
     * The configured load for {@code warmupS} seconds before the measured run, under another run id so
     * that its answers are not counted: the first seconds of a fresh JVM (JIT, first loads, first
     * checkpoints) would otherwise open the summaries with timeouts that say nothing about the plan.
     */
    private void warmUp(int vocab) throws InterruptedException {
        if (o.warmupS() <= 0) {
            return;
        }
        out.printf("warming up: %.0f s of the same load, not counted...%n", o.warmupS());
        out.flush();
        try (LoadGenerator w = new LoadGenerator(kafka.bootstrapServers(), conf.get(MuxflowOptions.REQUESTS_TOPIC),
                new RequestFactory("warmup" + Long.toString(System.nanoTime() % 100000, 36), o.seq(), vocab,
                        o.seed() + 1), Encoding.AVRO, new Properties())) {
            w.startOpenEnded(streams::get, o.seed() + 1);
            Thread.sleep((long) (o.warmupS() * 1000));
            w.stopSending();
        }
    }

    /** One model turns hot and bursty: six times its rate, cv 4. */
    public void shift() {
        if (shifted) {
            return;
        }
        shifted = true;
        List<LoadGenerator.Stream> s = new ArrayList<>(streams.get());
        LoadGenerator.Stream first = s.get(0);
        s.set(0, new LoadGenerator.Stream(first.model(), first.rate() * 6, 4.0, first.sloUs(), first.maxNewTokens()));
        streams.set(s);
        out.printf("[shift] %s: %.1f -> %.1f req/s, cv %.1f -> 4.0%n", first.model(), first.rate(), first.rate() * 6,
                first.cv());
        out.flush();
    }

    /** The plan version now serving. */
    public int planVersion() {
        return controller == null ? 1 : controller.runningVersion();
    }

    /** Prints a summary every {@code summaryS} seconds until the duration passes or {@code stop} opens. */
    public void summarize(CountDownLatch stop) throws Exception {
        long start = System.nanoTime();
        long every = (long) (o.summaryS() * 1e9);
        while (true) {
            boolean stopped = stop.await(every, java.util.concurrent.TimeUnit.NANOSECONDS);
            double t = (System.nanoTime() - start) / 1e9;
            ResponseStats w = collector.takeWindow();
            if (o.shiftAtS() > 0 && t >= o.shiftAtS()) {
                shift();
            }
            out.printf("[%5.0f s, plan v%d] %-10s %8s %11s %8s %9s %10s%n", t, planVersion(), "model", "rate/s",
                    "attainment", "p99 ms", "rejected", "timed-out");
            w.perModel().forEach((m, p) -> out.printf("          %-10s %8.1f %11.3f %8.1f %9d %10d%n", m,
                    p.responses() / o.summaryS(), p.attainment(), p.p99LatencyMs(), p.count(ResponseStatus.REJECTED), p.count(ResponseStatus.TIMED_OUT)));
            if (w.perModel().isEmpty()) {
                out.printf("          (no responses yet: %d requests sent)%n", loadgen.sent());
            }
            out.printf("          %s%n", pollCheckpoints().summary());
            out.flush();
            if (stopped || (o.durationS() > 0 && t >= o.durationS())) {
                break;
            }
        }
        long sent = drain();
        ResponseStats total = collector.total();
        out.printf("%ntotal: %d requests sent, %d answered, attainment %.3f; %s%n", sent, total.responses(),
                total.attainment(), checkpoints.last().summary());
        out.flush();
    }

    /**
     * Stops sending and waits for the answers still in flight, at most the longest SLO plus three
     * checkpoint intervals (responses are committed on checkpoints) and a margin; returns the number sent.
     */
    private long drain() throws InterruptedException {
        loadgen.stopSending();
        long sent = loadgen.sent();
        long maxSloUs = streams.get().stream().mapToLong(LoadGenerator.Stream::sloUs).max().orElse(0);
        long waitNs = maxSloUs * 1000 + 3 * conf.get(MuxflowOptions.CHECKPOINT_INTERVAL).toNanos() + 5_000_000_000L;
        long end = System.nanoTime() + waitNs;
        if (collector.total().responses() < sent) {
            out.printf("stopped sending; waiting up to %.1f s for %d answers in flight...%n", waitNs / 1e9,
                    sent - collector.total().responses());
            out.flush();
        }
        while (collector.total().responses() < sent && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        long missing = sent - collector.total().responses();
        if (missing > 0) {
            out.printf("%d requests still unanswered after %.1f s%n", missing, waitNs / 1e9);
        }
        return sent;
    }

    /** Flink's checkpoint statistics of the running job; a failure's cause is logged once. */
    private CheckpointWatch.Status pollCheckpoints() {
        try {
            JobID current = realizer != null ? realizer.runningJob() : job;
            return current == null ? checkpoints.last() : checkpoints.update(rest.checkpoints(current));
        } catch (Exception e) {
            return checkpoints.last(); // between redeploys the job may be gone for a moment
        }
    }

    public ResponseStats totals() {
        return collector.total();
    }

    @Override
    public void close() throws Exception {
        if (loadgen != null) {
            loadgen.close();
        }
        if (collector != null) {
            collector.close();
        }
        if (controller != null) {
            controller.close();
        }
        if (rest != null) {
            rest.close();
        }
        if (flink != null) {
            try {
                JobID current = realizer != null ? realizer.runningJob() : job;
                if (current != null) {
                    flink.cancel(current);
                }
            } catch (Exception ignored) {
                // already stopped
            }
            flink.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        TempDir.deleteRecursively(workDir);
    }
}
