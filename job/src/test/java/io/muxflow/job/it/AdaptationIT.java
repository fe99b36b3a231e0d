package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.JobGraphs;
import io.muxflow.job.KafkaServingIO;
import io.muxflow.job.adapt.PlanRecord;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.control.Controller;
import io.muxflow.job.control.JobGraphFactory;
import io.muxflow.job.control.RestClusterAccess;
import io.muxflow.job.control.SavepointRealizer;
import io.muxflow.job.loadgen.LoadGenerator;
import io.muxflow.job.loadgen.RequestFactory;
import io.muxflow.planner.placement.AlpaServeSearch;
import io.muxflow.planner.placement.Cluster;
import io.muxflow.planner.placement.PlacementProblem;
import io.muxflow.planner.placement.SearchOptions;
import io.muxflow.planner.placement.SearchProgress;
import io.muxflow.planner.placement.SelectiveReplication;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.sim.Simulation;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.Workload;
import io.muxflow.planner.workload.WorkloadSpec;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.codec.Encoding;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Online adaptation on a MiniCluster with a real Kafka broker and the emulated backend (devices held
 * for AlpaServe's published bert-1.3b latencies): steady traffic on a plan made for it, then one model
 * turns hot and bursty.
 */
class AdaptationIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(16).build());

    static final int DEVICES = 4;
    static final double MEM_GB = 6; // two bert-1.3b replicas per device: the steady plan cannot replicate everything

    record Setup(ServingHarness h, ProfileDatabase db, ModelProfile bert, Plan plan, List<ModelSpec> steady) {
    }

    static Setup setup(String prefix, boolean recommendOnly) throws Exception {
        ServingHarness h = new ServingHarness(prefix);
        h.conf.set(MuxflowOptions.BACKEND, "emulated");
        h.conf.set(MuxflowOptions.STATS_WINDOW, Duration.ofSeconds(12));
        h.conf.set(MuxflowOptions.STATS_SLIDE, Duration.ofSeconds(1));
        h.conf.set(MuxflowOptions.EVALUATION_INTERVAL, Duration.ofSeconds(3));
        h.conf.set(MuxflowOptions.STABILIZATION, Duration.ofSeconds(5));
        h.conf.set(MuxflowOptions.COOLDOWN, Duration.ofSeconds(6));
        h.conf.set(MuxflowOptions.DEAD_BAND, 0.03);
        h.conf.set(MuxflowOptions.ADAPT_MEM_GB, MEM_GB);
        h.conf.set(MuxflowOptions.RECOMMEND_ONLY, recommendOnly);
        h.conf.set(MuxflowOptions.STATS_TOPIC, prefix + ".stats");
        h.conf.set(MuxflowOptions.PLANS_TOPIC, prefix + ".plans");
        h.kafka.createTopics(Map.of(prefix + ".stats", 1, prefix + ".plans", 1));
        ProfileDatabase db = ProfileDatabase.load(io.muxflow.job.cli.PlanCliTestAccess.profiles());
        ModelProfile bert = db.require("bert-1.3b", "test");
        double slo = 5 * bert.singleDeviceLatency();
        List<ModelSpec> steady = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            steady.add(new ModelSpec("m" + i, "bert-1.3b", i == 0 ? 0.5 : 4.0, 1.0, slo));
        }
        Workload w = WorkloadSpec.generated(120, 1, steady).generate();
        SimOptions sim = SimOptions.defaults().withOverheads(0.002, 0).withWarmup(0);
        // plain replication suits steady traffic (AlpaServe's own observation); the shift will not
        Plan plan = new SelectiveReplication().place(new PlacementProblem(Collections.nCopies(4, bert), w,
                Cluster.of(DEVICES, MEM_GB), sim, SearchOptions.defaults()), SearchProgress.NONE);
        Map<String, String> mp = new HashMap<>();
        steady.forEach(m -> mp.put(m.name(), "bert-1.3b"));
        return new Setup(h, db, bert, plan.withModelProfiles(mp), steady);
    }

    /** Steady: m0 quiet, m1..m3 busy. Shifted: m0 hot and bursty (14 req/s, cv 4), the others quiet. */
    static List<LoadGenerator.Stream> streams(List<ModelSpec> models, boolean shifted) {
        List<LoadGenerator.Stream> s = new ArrayList<>();
        for (ModelSpec m : models) {
            boolean hot = m.name().equals("m0");
            double rate = !shifted ? m.rate() : hot ? 14.0 : 1.0;
            s.add(new LoadGenerator.Stream(m.name(), rate, shifted && hot ? 4.0 : m.cv(), (long) (m.sloS() * 1e6)));
        }
        return s;
    }

    /** Reads every response of the run; returns them by request id. */
    static Map<String, List<InferenceResponse>> responses(ServingHarness h, String run, long expected) {
        Map<String, List<InferenceResponse>> got = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(h.kafka.bootstrapServers(), h.responses(), true)) {
            List<ConsumerRecord<byte[], byte[]>> all = KafkaClients.readUntil(c, Duration.ofSeconds(90),
                    l -> l.stream().filter(r -> KafkaClients.decodeResponse(r.value()).getRequestId().startsWith(run))
                            .count() >= expected);
            // and a moment more: a duplicate would show up here
            all.addAll(KafkaClients.readUntil(c, Duration.ofSeconds(2), l -> false));
            for (ConsumerRecord<byte[], byte[]> r : all) {
                InferenceResponse resp = KafkaClients.decodeResponse(r.value());
                if (resp.getRequestId().startsWith(run + "-")) {
                    got.computeIfAbsent(resp.getRequestId(), k -> new ArrayList<>()).add(resp);
                }
            }
        }
        return got;
    }

    @Test
    void aShiftIsRedeployedThroughASavepointWithNothingLostEvenWhenTheFirstSubmitFails(
            @InjectClusterRESTAddress URI rest, @TempDir Path savepoints) throws Exception {
        Setup s = setup("shift", false);
        try (ServingHarness h = s.h(); RestClusterAccess cluster = new RestClusterAccess(rest)) {
            AtomicInteger attempts = new AtomicInteger();
            JobGraphFactory factory = (plan, savepoint, downtime) -> {
                if (plan.version() > s.plan().version() && attempts.getAndIncrement() == 0) {
                    throw new IllegalStateException("injected submit failure");
                }
                return JobGraphs.serving(JobSpec.of(plan, s.db(), h.conf), h.conf, new KafkaServingIO(h.conf), savepoint);
            };
            JobID first = cluster.submit(factory.create(s.plan(), null, -1));
            SavepointRealizer realizer = new SavepointRealizer(cluster, factory, savepoints.toUri().toString(), 60_000,
                    first);
            List<PlanRecord> records = new CopyOnWriteArrayList<>();
            String run = "sh" + System.nanoTime() % 100000;
            List<LoadGenerator.Stream>[] current = new List[] {streams(s.steady(), false)};
            long[] deployedAt = {0};
            try (Controller controller = new Controller(h.kafka.bootstrapServers(), h.conf.get(MuxflowOptions.PLANS_TOPIC),
                    new Properties(), realizer, s.plan().version(), new PrintWriter(System.out, true), r -> {
                        records.add(r);
                        if (r.action.equals("DEPLOYED")) {
                            deployedAt[0] = io.muxflow.job.model.Clocks.nowUs();
                        }
                    });
                    LoadGenerator gen = new LoadGenerator(h.kafka.bootstrapServers(), h.requests(),
                            new RequestFactory(run, 8, 30000, 5), Encoding.AVRO, new Properties())) {
                assertThat(cluster.awaitRunning(first, 60_000)).isTrue();
                gen.startOpenEnded(() -> current[0], 9);
                Thread.sleep(8_000);
                current[0] = streams(s.steady(), true);
                long end = System.nanoTime() + 90_000_000_000L;
                while (deployedAt[0] == 0 && System.nanoTime() < end) {
                    Thread.sleep(500);
                }
                assertThat(deployedAt[0]).as("a redeploy happened; records: %s", records.stream()
                        .map(r -> r.action + ": " + r.reason).toList()).isPositive();
                Thread.sleep(15_000); // serve on the new plan
                gen.close();
                Map<String, List<InferenceResponse>> got = responses(h, run, gen.sent());
                // every request sent before, during and after: exactly one response
                assertThat(got).hasSize((int) gen.sent());
                assertThat(got.values()).allSatisfy(l -> assertThat(l).hasSize(1));
                // the first attempt failed and service continued on the old plan; the second deployed
                assertThat(records).anySatisfy(r -> {
                    assertThat(r.action).isEqualTo("FAILED");
                    assertThat(r.reason).contains("injected submit failure").contains("service restored on plan v1");
                    assertThat(r.savepoint).isNotNull();
                });
                PlanRecord deployed = records.stream().filter(r -> r.action.equals("DEPLOYED")).findFirst().orElseThrow();
                assertThat(deployed.savepoint).startsWith("file:");
                assertThat(deployed.timingsJson).contains("savepoint").contains("submit").contains("restore")
                        .contains("weight_load");
                assertThat(realizer.runningJob()).isNotEqualTo(first);
                // after the redeploy: better than the simulator predicts for staying on the old plan
                List<InferenceResponse> after = got.values().stream().map(l -> l.get(0))
                        .filter(r -> r.getTimestamps().getClientSendUs() > deployedAt[0] + 5_000_000L).toList();
                assertThat(after.size()).isGreaterThan(100);
                assertThat(after).allSatisfy(r -> assertThat(r.getPlanVersion()).isGreaterThan(1));
                double observed = after.stream().filter(r -> r.getStatus() == ResponseStatus.OK
                        && r.getTimestamps().getFinishedUs() <= r.getTimestamps().getDeadlineUs()).count()
                        / (double) after.size();
                Workload afterWorkload = workloadOf(after, s.plan());
                double stay = new Simulation(afterWorkload, Collections.nCopies(s.plan().models().size(), s.bert()),
                        SimOptions.defaults().withOverheads(0.002, 0).withWarmup(0)).run(s.plan()).attainment();
                System.out.printf("after redeploy: observed %.4f, simulator for the old plan %.4f%n", observed, stay);
                assertThat(observed).isGreaterThan(stay);
            } finally {
                cluster.cancel(realizer.runningJob());
            }
        }
    }

    static Workload workloadOf(List<InferenceResponse> rs, Plan plan) {
        List<String> models = new ArrayList<>(plan.models());
        List<InferenceResponse> sorted = new ArrayList<>(rs);
        sorted.sort((a, b) -> Long.compare(a.getTimestamps().getClientSendUs(), b.getTimestamps().getClientSendUs()));
        double[] t = new double[sorted.size()];
        int[] m = new int[sorted.size()];
        double[] slo = new double[sorted.size()];
        for (int i = 0; i < t.length; i++) {
            var ts = sorted.get(i).getTimestamps();
            t[i] = ts.getClientSendUs() / 1e6;
            m[i] = models.indexOf(sorted.get(i).getModel());
            slo[i] = (ts.getDeadlineUs() - ts.getClientSendUs()) / 1e6;
        }
        return new Workload(models, t, m, slo);
    }

    @Test
    void stationaryTrafficKeepsThePlanAndRecommendOnlyNeverRedeploys(@InjectClusterRESTAddress URI rest,
            @TempDir Path savepoints)
            throws Exception {
        Setup s = setup("steady", true);
        try (ServingHarness h = s.h(); RestClusterAccess cluster = new RestClusterAccess(rest)) {
            JobGraphFactory factory = (plan, savepoint, downtime) -> JobGraphs.serving(JobSpec.of(plan, s.db(), h.conf),
                    h.conf, new KafkaServingIO(h.conf), savepoint);
            JobID job = cluster.submit(factory.create(s.plan(), null, -1));
            List<PlanRecord> records = new CopyOnWriteArrayList<>();
            SavepointRealizer realizer = new SavepointRealizer(cluster, factory,
                    savepoints.toUri().toString(), 60_000, job);
            List<LoadGenerator.Stream>[] current = new List[] {streams(s.steady(), false)};
            try (Controller controller = new Controller(h.kafka.bootstrapServers(), h.conf.get(MuxflowOptions.PLANS_TOPIC),
                    new Properties(), realizer, 1, new PrintWriter(System.out, true), records::add);
                    LoadGenerator gen = new LoadGenerator(h.kafka.bootstrapServers(), h.requests(),
                            new RequestFactory("st", 8, 30000, 5), Encoding.AVRO, new Properties())) {
                assertThat(cluster.awaitRunning(job, 60_000)).isTrue();
                gen.startOpenEnded(() -> current[0], 3);
                Thread.sleep(20_000);
                List<PlanRecord> steadyDecisions = records.stream().filter(r -> !r.action.equals("OBSERVED")).toList();
                assertThat(steadyDecisions).as("evaluations during steady traffic").hasSizeGreaterThanOrEqualTo(4);
                assertThat(steadyDecisions).allSatisfy(r -> assertThat(r.action).as(r.reason).isEqualTo("KEEP"));
                assertThat(steadyDecisions).allSatisfy(r -> assertThat(r.currentPlanJson).isNotBlank());
                current[0] = streams(s.steady(), true);
                long end = System.nanoTime() + 60_000_000_000L;
                while (records.stream().noneMatch(r -> r.action.equals("RECOMMEND")) && System.nanoTime() < end) {
                    Thread.sleep(500);
                }
                PlanRecord rec = records.stream().filter(r -> r.action.equals("RECOMMEND")).findFirst().orElseThrow(
                        () -> new AssertionError("no RECOMMEND after the shift: " + records.stream()
                                .map(r -> r.action + ": " + r.reason).toList()));
                assertThat(rec.predictedCandidate).isGreaterThan(rec.predictedCurrent + 0.03);
                assertThat(rec.planJson).isNotEqualTo(rec.currentPlanJson);
                Thread.sleep(2000);
                assertThat(records).noneMatch(r -> r.action.equals("DEPLOYED") || r.action.equals("REDEPLOY"));
                assertThat(realizer.runningJob()).isEqualTo(job);
                assertThat(cluster.awaitRunning(job, 1000)).isTrue();
            } finally {
                cluster.cancel(job);
            }
        }
    }
}
