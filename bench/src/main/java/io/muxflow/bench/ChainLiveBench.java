package io.muxflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.job.JobGraphs;
import io.muxflow.job.KafkaClients;
import io.muxflow.job.KafkaServingIO;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.control.RestClusterAccess;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.job.local.LocalCluster;
import io.muxflow.job.local.Topics;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.chain.ChainInputs;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ChainModel;
import io.muxflow.planner.chain.ChainCostModel;
import io.muxflow.planner.chain.LlmShape;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.placement.chain.ChainPlanner;
import io.muxflow.planner.placement.chain.PetalsPlacement;
import io.muxflow.planner.sim.chain.PetalsRouter;
import io.muxflow.planner.plan.ChainDeployment;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.sim.chain.ChainArrivals;
import io.muxflow.planner.sim.chain.ChainRouters;
import io.muxflow.planner.sim.chain.ChainSimResult;
import io.muxflow.planner.sim.chain.ChainSimulator;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code muxflow bench chains --live}: the chain paper's setting served by the live job on emulated
 * chain servers, against the chain simulator on the same jobs. BLOOM-176B on {@code paper:J,ETA}
 * servers, planned by GBP-CR + GCA; Poisson arrivals; exponential job sizes (each job generates
 * max(1, round(Exp(l_out))) tokens, so it takes its size / l_out of its route's service time). Both
 * run every job of the same arrival times and sizes, per router; the live times are divided by the
 * time scale the emulated servers run at. Router {@code petals} is the paper's Petals baseline, its
 * own placement ({@code PetalsPlacement}, as {@code chain simulate --policy petals}) with its own
 * routing; the others route over GBP-CR's placement and GCA's chains. What the comparison measures: the runtime's overhead beyond
 * the paper's service model (dispatch, Kafka hops beyond the communication time they stand for,
 * queueing in the operators), since emulated servers hold exactly the model's time.
 */
public final class ChainLiveBench {
    /** Petals' default cache per server in tokens, as {@code chain simulate --petals-cache-tokens}. */
    static final int PETALS_CACHE_TOKENS = 4096;
    /** The chain servers' hop metrics the run reads (per server, after "chainServer.ID."). */
    static final List<String> HOP_METRICS = List.of("hopLatencyUs_max", "hopLatencyUs_median", "hopLatencyUs_p99",
            "hopKafkaUs_p99", "hopInJobUs_p99");
    /** Jobs left out of both means at the start (the chains fill). */
    static final double WARMUP_FRACTION = 0.1;

    private final PrintWriter log;

    public ChainLiveBench(PrintWriter log) {
        this.log = log;
    }

    /** Settings of a run. */
    public record Settings(int servers, double eta, double rate, int jobs, double timeScale, long seed,
            List<String> routers, boolean simulateOnly, Map<String, String> jobSettings, String cpuLatencyQos) {
    }

    public ObjectNode run(Path out, Settings s) throws Exception {
        LlmShape bloom = LlmShape.builtin("bloom-176b");
        int lIn = ChainInputs.DEFAULT_L_IN;
        int lOut = ChainInputs.DEFAULT_L_OUT;
        ChainModel model = ChainCostModel.model(bloom, lIn, lOut);
        ChainInstance inst = new ChainInstance(model, ChainInputs.paperMix(s.servers(), s.eta(), bloom, lIn, lOut));
        ChainPlanner.ChainPlan planned = ChainPlanner.plan(inst, s.rate(), ChainPlanner.Options.defaults());
        ChainDeployment dep = ChainDeployment.of("bloom-176b", "bloom-176b", inst,
                planned.chosen().placement().placement(), planned.chosen().chains(), lOut);
        ChainDeployment petals = ChainDeployment.of("bloom-176b", "bloom-176b", inst,
                PetalsPlacement.place(inst, PETALS_CACHE_TOKENS / (double) (lIn + lOut)), List.of(), lOut);
        double[] arrivals = ChainArrivals.poisson(s.rate(), s.jobs(), s.seed());
        int[] tokens = new int[s.jobs()];
        double[] sizes = new double[s.jobs()];
        SplittableRandom rng = new SplittableRandom(s.seed() + 1);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (int) Math.max(1, Math.round(-lOut * Math.log(1 - rng.nextDouble())));
            sizes[i] = (double) tokens[i] / lOut;
        }
        log.printf("chains --live: bloom-176b on paper:%d,%.2f (%d chains, c = %d), %d jobs at %.3f jobs/s, mean %.1f "
                + "tokens, time scale %.3f%n", s.servers(), s.eta(), dep.chains().size(), planned.chosen().c(),
                s.jobs(), s.rate(), Arrays.stream(tokens).average().orElse(0), s.timeScale());
        log.flush();
        ObjectNode root = Json.object();
        root.put("setting", String.format("bloom-176b (L=70, l_in %d, l_out %d) on paper:%d,%.2f servers, GBP-CR + GCA "
                + "(c = %d, %d chains), Poisson arrivals at %.3f jobs/s, job sizes max(1, round(Exp(%d))) tokens",
                lIn, lOut, s.servers(), s.eta(), planned.chosen().c(), dep.chains().size(), s.rate(), lOut));
        root.put("jobs", s.jobs());
        root.put("time_scale", s.timeScale());
        root.put("warmup_fraction", WARMUP_FRACTION);
        root.put("cpu_latency_qos", s.cpuLatencyQos());
        if (!s.jobSettings().isEmpty()) {
            ObjectNode set = root.putObject("settings");
            s.jobSettings().forEach(set::put);
        }
        root.put("what_it_measures", "runtime overhead of the live chain path beyond the paper's service model: the "
                + "emulated servers hold exactly the model's time (a hop counts as the visit's communication)");
        ObjectNode routers = root.putObject("routers");
        Hops hops = new Hops();
        for (String router : s.routers()) {
            ChainDeployment d = router.equals("petals") ? petals : dep;
            ChainSimResult sim = ChainSimulator.run(arrivals, sizes, ChainRouters.create(router, d.instance(),
                    d.placement(), d.serverChains(), PetalsRouter.DEFAULT_PENALTY_S), WARMUP_FRACTION);
            ObjectNode r = routers.putObject(router);
            if (s.simulateOnly()) {
                r.put("simulated_mean_s", sim.meanResponseS());
                log.printf("  %-6s simulated mean %.3f s (p99 %.3f s)%n", router, sim.meanResponseS(), sim.p99ResponseS());
                continue;
            }
            double[] live = live(out.resolve("live-" + router), d, router, arrivals, tokens, s, hops);
            double mean = Arrays.stream(live).average().orElse(Double.NaN);
            r.put("live_mean_s", mean);
            r.put("simulated_mean_s", sim.meanResponseS());
            r.put("jobs", live.length);
            r.put("live_over_simulated", mean / sim.meanResponseS());
            double[] sorted = live.clone();
            Arrays.sort(sorted);
            r.put("live_p99_s", io.muxflow.planner.stats.Percentiles.nearestRank(sorted, 0.99));
            r.put("simulated_p99_s", sim.p99ResponseS());
            log.printf("  %-6s live mean %.3f s, simulated %.3f s (%+.1f%%) over %d jobs%n", router, mean,
                    sim.meanResponseS(), 100 * (mean / sim.meanResponseS() - 1), live.length);
            log.flush();
        }
        if (s.simulateOnly()) {
            return root;
        }
        ObjectNode hop = root.putObject("hop_ms");
        if (hops.p50().isEmpty()) {
            throw new IllegalStateException("no chain server reported its hop latency");
        }
        hop.put("p50", io.muxflow.planner.stats.Percentiles.nearestRank(
                hops.p50().stream().mapToDouble(Long::doubleValue).sorted().toArray(), 0.5) / 1000.0);
        hop.put("p99", Hops.max(hops.p99()));
        hop.put("kafka_leg_p99", Hops.max(hops.kafkaP99()));
        hop.put("in_job_leg_p99", Hops.max(hops.inJobP99()));
        hop.put("median_server_p99", io.muxflow.planner.stats.Percentiles.nearestRank(
                hops.p99().stream().mapToDouble(Long::doubleValue).sorted().toArray(), 0.5) / 1000.0);
        hop.put("how", "per chain server, the hop's latency from the send to the server reading it (the runtime's "
                + "RTT); p50: median over the servers that had hops of their p50, p99: the largest server p99, median_server_p99: the "
                + "median of the servers' p99; kafka_leg_p99 / in_job_leg_p99: the largest server p99 of the hop's "
                + "two legs, send to the hop topic's source reading it and from there to the server; each over the "
                + "server's last 1000 hops");
        Files.createDirectories(out);
        Json.write(out.resolve("chains-live.json"), root);
        return root;
    }

    /** Per chain server that had hops: its hop latency's p50 and p99, and the p99 of the two legs, in µs. */
    private record Hops(List<Long> p50, List<Long> p99, List<Long> kafkaP99, List<Long> inJobP99) {
        Hops() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        /** The largest, in ms. */
        static double max(List<Long> us) {
            return us.stream().mapToLong(Long::longValue).max().orElse(0) / 1000.0;
        }
    }

    /** Runs every job through the live job on emulated servers; returns the response times (model seconds). */
    private double[] live(Path dir, ChainDeployment dep, String router, double[] arrivals, int[] tokens, Settings s,
            Hops hops) throws Exception {
        Files.createDirectories(dir);
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.BACKEND, "emulated");
        conf.set(MuxflowOptions.EMULATED_TIME_SCALE, s.timeScale());
        conf.set(MuxflowOptions.CHAIN_ROUTER, router);
        conf.set(MuxflowOptions.CHAIN_PETALS_PENALTY, PetalsRouter.DEFAULT_PENALTY_S);
        conf.set(MuxflowOptions.CHAIN_QUEUE_CAPACITY, arrivals.length);
        conf.set(MuxflowOptions.ADAPT, false);
        conf.setString("execution.checkpointing.dir", dir.resolve("cp").toUri().toString());
        s.jobSettings().forEach(conf::setString);
        Plan plan = new Plan(1, "chains", List.of(), List.of(), Double.NaN, null, null).withChains(List.of(dep));
        String run = "cl" + router;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            conf.set(MuxflowOptions.BOOTSTRAP, kafka.bootstrapServers());
            kafka.createTopics(Topics.of(conf));
            JobSpec spec = JobSpec.of(plan, new ProfileDatabase(List.of()), conf);
            try (LocalCluster flink = new LocalCluster(conf, JobGraphs.slots(spec) + 1, 0);
                    KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(),
                            lingerZero());
                    KafkaConsumer<byte[], byte[]> responses = KafkaClients.fromEnd(kafka.bootstrapServers(),
                            conf.get(MuxflowOptions.RESPONSES_TOPIC), committed(), "chains-live-")) {
                JobID job = flink.submit(JobGraphs.serving(spec, conf, new KafkaServingIO(conf), null));
                awaitRunning(flink, job);
                producer.partitionsFor(conf.get(MuxflowOptions.REQUESTS_TOPIC));
                long start = System.nanoTime() + 500_000_000L;
                Map<String, Long> sentUs = new HashMap<>();
                Map<String, Double> responseS = new HashMap<>();
                long lastReport = System.nanoTime();
                for (int i = 0; i < arrivals.length; i++) {
                    long due = start + (long) (arrivals[i] * s.timeScale() * 1e9);
                    // wait in the consumer's poll (it blocks until answers come or the time passes) and
                    // only the last millisecond in a park, rather than polling with no wait every 2 ms:
                    // the client shares the machine's two cores with the job it measures
                    for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                        if (left >= 2_000_000) {
                            drain(responses, run, sentUs, responseS, s.timeScale(), Duration.ofMillis(left / 1_000_000 - 1));
                        } else {
                            LockSupport.parkNanos(left);
                        }
                    }
                    String id = run + "-" + i;
                    long now = Clocks.nowUs();
                    sentUs.put(id, now);
                    InferenceRequest r = InferenceRequest.newBuilder().setRequestId(id).setModel(dep.model())
                            .setClientSendUs(now).setSloUs(86_400_000_000L).setTokenIds(List.of(1, 2, 3))
                            .setMaxNewTokens(tokens[i]).build();
                    producer.send(new ProducerRecord<>(conf.get(MuxflowOptions.REQUESTS_TOPIC),
                            dep.model().getBytes(), Codecs.REQUEST.encode(r, Encoding.AVRO)));
                    if (System.nanoTime() - lastReport > 10_000_000_000L) {
                        lastReport = System.nanoTime();
                        log.printf("    %s: %d of %d jobs sent, %d answered%n", router, i + 1, arrivals.length,
                                responseS.size());
                        log.flush();
                    }
                }
                producer.flush();
                long end = System.nanoTime() + 600_000_000_000L;
                while (responseS.size() < arrivals.length && System.nanoTime() < end) {
                    drain(responses, run, sentUs, responseS, s.timeScale(), Duration.ofMillis(200));
                }
                try (RestClusterAccess rest = new RestClusterAccess(flink.restAddress())) {
                    StringBuilder each = new StringBuilder();
                    List<String> names = new ArrayList<>();
                    for (int server = 0; server < dep.servers().size(); server++) {
                        for (String m : HOP_METRICS) {
                            names.add("chainServer." + server + "." + m);
                        }
                    }
                    Map<String, Double> got = rest.maxVertexMetrics(job, "chain-server-", names);
                    for (int server = 0; server < dep.servers().size(); server++) {
                        String m = "chainServer." + server + ".";
                        double max = got.getOrDefault(m + "hopLatencyUs_max", Double.NaN);
                        double p50 = got.getOrDefault(m + "hopLatencyUs_median", Double.NaN);
                        double p99 = got.getOrDefault(m + "hopLatencyUs_p99", Double.NaN);
                        // a server no route used has no hops: its empty histogram reads 0
                        if (max > 0 && !Double.isNaN(p50) && !Double.isNaN(p99)) {
                            double kafka99 = got.getOrDefault(m + "hopKafkaUs_p99", Double.NaN);
                            double inJob99 = got.getOrDefault(m + "hopInJobUs_p99", Double.NaN);
                            hops.p50().add(Math.round(p50));
                            hops.p99().add(Math.round(p99));
                            hops.kafkaP99().add(Math.round(kafka99));
                            hops.inJobP99().add(Math.round(inJob99));
                            each.append(String.format(" %d:%.1f/%.1f/%.1f(kafka %.1f, in job %.1f)", server, p50 / 1000,
                                    p99 / 1000, max / 1000, kafka99 / 1000, inJob99 / 1000));
                        }
                    }
                    log.printf("    %s: hops per server (server:p50/p99/max ms, p99 of the Kafka leg and the leg in the job):%s%n", router, each);
                    log.flush();
                }
                flink.cancel(job);
                if (responseS.size() < arrivals.length) {
                    throw new IllegalStateException(router + ": " + responseS.size() + " of " + arrivals.length
                            + " jobs answered");
                }
                int first = (int) Math.floor(arrivals.length * WARMUP_FRACTION);
                double[] out = new double[arrivals.length - first];
                for (int i = first; i < arrivals.length; i++) {
                    out[i - first] = responseS.get(run + "-" + i);
                }
                return out;
            }
        }
    }

    private static Properties lingerZero() {
        Properties p = new Properties();
        p.put("linger.ms", "0");
        return p;
    }

    private static Properties committed() {
        Properties p = new Properties();
        p.put("isolation.level", "read_committed");
        return p;
    }

    private static void awaitRunning(LocalCluster flink, JobID job) throws Exception {
        try (RestClusterAccess rest = new RestClusterAccess(flink.restAddress())) {
            if (!rest.awaitRunning(job, 120_000)) {
                throw new IllegalStateException("the chain job did not start within 120 s");
            }
        }
    }

    /** Reads answers; a job's response time is its finish (as the job stamped it) minus its send, in model seconds. */
    private static void drain(KafkaConsumer<byte[], byte[]> c, String run, Map<String, Long> sentUs,
            Map<String, Double> responseS, double scale, Duration wait) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(wait)) {
            InferenceResponse resp;
            try {
                resp = Codecs.RESPONSE.decodeBinary(r.value());
            } catch (java.io.IOException e) {
                continue;
            }
            Long sent = sentUs.get(resp.getRequestId());
            if (sent == null || !resp.getRequestId().startsWith(run + "-")) {
                continue;
            }
            if (resp.getStatus() != ResponseStatus.OK) {
                throw new IllegalStateException(resp.getRequestId() + " answered " + resp.getStatus() + ": "
                        + resp.getDetail());
            }
            responseS.put(resp.getRequestId(), (resp.getTimestamps().getFinishedUs() - sent) / 1e6 / scale);
        }
    }
}
