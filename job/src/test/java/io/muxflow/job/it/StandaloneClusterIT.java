package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.muxflow.job.control.RestClusterAccess;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.job.model.Clocks;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.codec.Encoding;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * The serving job on a real multi-process Flink cluster: a standalone session cluster (one
 * JobManager process, two TaskManager processes) and a Kafka broker; the job jar is submitted by
 * {@code muxflow submit} through the REST API, {@code muxflow redeploy} asks {@code muxflow
 * controller} to move it onto a new plan and the controller redeploys it from a savepoint (each CLI a
 * separate process run from the job jar on Flink's classpath, as in the docker image), then a TaskManager process is killed and the job recovers on the other one. Every
 * request sent throughout gets exactly one committed response.
 */
class StandaloneClusterIT {
    static final String PLAN_V1 = """
            {"version": 1, "policy": "test",
             "groups": [{"id": 0, "devices": 1, "op": 1, "pp": 1, "models": ["a"]},
                        {"id": 1, "devices": 2, "op": 1, "pp": 2, "models": ["a", "b"]}],
             "model_profiles": {"a": "bert-tiny", "b": "bert-tiny"}}
            """;
    static final String PLAN_V2 = """
            {"version": 2, "policy": "test",
             "groups": [{"id": 0, "devices": 1, "op": 1, "pp": 1, "models": ["a", "b"]},
                        {"id": 1, "devices": 1, "op": 1, "pp": 1, "models": ["a", "b"]},
                        {"id": 2, "devices": 1, "op": 1, "pp": 1, "models": ["b"]}],
             "model_profiles": {"a": "bert-tiny", "b": "bert-tiny"}}
            """;
    static final String PREFIX = "cluster";

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void submitRedeployFromSavepointAndSurviveATaskManagerCrash() throws Exception {
        Path dir = Path.of("target", "standalone-it").toAbsolutePath();
        io.muxflow.planner.io.TempDir.deleteRecursively(dir);
        Files.createDirectories(dir);
        Path jar = StandaloneCluster.jobJar().toAbsolutePath();
        Path profiles = dir.resolve("profiles.json");
        Files.writeString(profiles, ServingEndToEndIT.PROFILES);
        Path plan1 = dir.resolve("plan-v1.json");
        Files.writeString(plan1, PLAN_V1);
        List<Process> clients = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
                StandaloneCluster cluster = new StandaloneCluster(dir.resolve("flink"), Map.of());
                RestClusterAccess access = new RestClusterAccess(cluster.rest())) {
            Map<String, Integer> topics = new LinkedHashMap<>();
            for (String t : List.of("requests", "responses", "dead-letter", "stage-reports", "plans", "stats")) {
                topics.put(PREFIX + "." + t, t.equals("requests") ? 2 : 1);
            }
            kafka.createTopics(topics);
            cluster.startJobManager();
            cluster.startTaskManager("tm-0");
            cluster.startTaskManager("tm-1");
            cluster.awaitTaskManagers(2, Duration.ofSeconds(90));

            List<String> common = new ArrayList<>(List.of("--rest", cluster.rest().toString(), "--bootstrap",
                    kafka.bootstrapServers(), "--profiles", profiles.toString(), "--job-jar", jar.toString()));
            for (String t : List.of("requests", "responses", "dead-letter", "stage-reports", "plans", "stats")) {
                common.addAll(List.of("-D", "muxflow.topic." + t + "=" + PREFIX + "." + t));
            }
            common.addAll(List.of("-D", "muxflow.kafka.group-id=" + PREFIX, "-D", "muxflow.checkpoint.interval=500 ms",
                    "-D", "muxflow.adapt.enabled=false"));

            // 1. muxflow submit: the job jar through the REST API
            List<String> submit = new ArrayList<>(List.of("submit", "--plan", plan1.toString()));
            submit.addAll(common);
            Process s = cli(jar, submit, dir.resolve("submit.log"));
            assertThat(s.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(s.exitValue()).as(Files.readString(dir.resolve("submit.log"))).isZero();
            String jobV1 = runningJob(access, "muxflow (plan v1)", Duration.ofSeconds(30));

            // 2. muxflow controller, watching the plans topic
            List<String> ctl = new ArrayList<>(List.of("controller", "--savepoint-dir",
                    cluster.dir().resolve("savepoints").toUri().toString()));
            ctl.addAll(common);
            LinkedBlockingQueue<String> ctlOut = new LinkedBlockingQueue<>();
            Process controller = cliStreaming(jar, ctl, dir.resolve("controller.log"), ctlOut);
            clients.add(controller);
            awaitLine(ctlOut, "controller: watching", Duration.ofSeconds(90));

            AtomicInteger sent = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(kafka.bootstrapServers());
                    KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(kafka.bootstrapServers(),
                            PREFIX + ".responses", true)) {
                Thread sender = new Thread(() -> {
                    while (!stop.get()) {
                        int i = sent.get();
                        KafkaClients.send(p, PREFIX + ".requests", InferenceRequest.newBuilder().setRequestId("c" + i)
                                .setModel(i % 2 == 0 ? "a" : "b").setClientSendUs(Clocks.nowUs())
                                .setSloUs(120_000_000L).setTokenIds(List.of(101, i % 300, 102)).build(), Encoding.AVRO);
                        sent.incrementAndGet();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    p.flush();
                }, "sender");
                sender.start();
                List<ConsumerRecord<byte[], byte[]>> responses = new ArrayList<>(
                        KafkaClients.readUntil(c, Duration.ofSeconds(90), l -> l.size() >= 100));
                assertThat(responses.size()).as("responses before the redeploy").isGreaterThanOrEqualTo(100);

                // 3. muxflow redeploy publishes a REDEPLOY decision; the controller moves the job to plan v2
                Path plan2 = dir.resolve("plan-v2.json");
                Files.writeString(plan2, PLAN_V2);
                Process rd = cli(jar, List.of("redeploy", "--bootstrap", kafka.bootstrapServers(), "--plan",
                        plan2.toString(), "--current-plan", plan1.toString(), "--reason", "cluster test", "-D",
                        "muxflow.topic.plans=" + PREFIX + ".plans"), dir.resolve("redeploy.log"));
                assertThat(rd.waitFor(180, TimeUnit.SECONDS)).isTrue();
                assertThat(rd.exitValue()).as(Files.readString(dir.resolve("redeploy.log"))).isZero();
                assertThat(Files.readString(dir.resolve("redeploy.log"))).contains("DEPLOYED");
                String jobV2 = runningJob(access, "muxflow (plan v2)", Duration.ofSeconds(120));
                assertThat(jobV2).isNotEqualTo(jobV1);
                assertThat(state(cluster, jobV1)).isEqualTo("FINISHED");
                responses.addAll(KafkaClients.readUntil(c, Duration.ofSeconds(60), l -> l.size() >= 100));

                // 4. kill a TaskManager that runs part of the job; the job restarts on the other one
                String victim = taskManagerRunning(cluster, jobV2, "stage-layer-0");
                cluster.killTaskManager(victim);
                awaitRestartedAndRunning(cluster, access, jobV2, Duration.ofSeconds(120));
                responses.addAll(KafkaClients.readUntil(c, Duration.ofSeconds(60), l -> l.size() >= 100));

                stop.set(true);
                sender.join();
                int n = sent.get();
                responses.addAll(KafkaClients.readUntil(c, Duration.ofSeconds(120),
                        l -> l.size() + responses.size() >= n));
                // nothing more arrives once everything was answered: no late duplicates either
                responses.addAll(KafkaClients.readUntil(c, Duration.ofSeconds(3), l -> false));
                Map<String, Integer> count = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : responses) {
                    InferenceResponse resp = KafkaClients.decodeResponse(r.value());
                    count.merge(resp.getRequestId(), 1, Integer::sum);
                    assertThat(resp.getStatus()).as(resp.getDetail()).isIn(ResponseStatus.OK, ResponseStatus.TIMED_OUT,
                            ResponseStatus.REJECTED);
                }
                assertThat(count).as("one response per request of %d sent", n).hasSize(n);
                assertThat(count.values()).containsOnly(1);
                assertThat(responses.stream().filter(r -> KafkaClients.decodeResponse(r.value()).getPlanVersion() == 2))
                        .as("responses served by plan v2").isNotEmpty();
            }
        } finally {
            for (Process p : clients) {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** Runs the muxflow CLI from the job jar on Flink's classpath, as the docker image does. */
    static Process cli(Path jar, List<String> args, Path log) throws Exception {
        return new ProcessBuilder(command(jar, args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static Process cliStreaming(Path jar, List<String> args, Path log, LinkedBlockingQueue<String> lines)
            throws Exception {
        Process p = new ProcessBuilder(command(jar, args)).redirectErrorStream(true).start();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
                    PrintWriter w = new PrintWriter(Files.newBufferedWriter(log))) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.println(line);
                    w.flush();
                    lines.add(line);
                }
            } catch (Exception e) {
                // the process ended
            }
        }, "cli-output");
        t.setDaemon(true);
        t.start();
        return p;
    }

    private static List<String> command(Path jar, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(StandaloneCluster.javaBin()));
        cmd.addAll(StandaloneCluster.JVM_OPTS);
        cmd.addAll(List.of("-cp", jar + java.io.File.pathSeparator + StandaloneCluster.clusterClasspath(),
                "io.muxflow.job.cli.Main"));
        cmd.addAll(args);
        return cmd;
    }

    private static void awaitLine(LinkedBlockingQueue<String> lines, String prefix, Duration timeout)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String l = lines.poll(200, TimeUnit.MILLISECONDS);
            if (l != null && l.startsWith(prefix)) {
                return;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' within " + timeout);
    }

    /** The id of the running job with this name once all its tasks run. */
    private static String runningJob(RestClusterAccess access, String name, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            JobID id = access.findRunning(name);
            if (id != null && access.awaitRunning(id, Math.max(1, (end - System.nanoTime()) / 1_000_000))) {
                return id.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no running job '" + name + "' within " + timeout);
    }

    private String state(StandaloneCluster cluster, String jid) throws Exception {
        return json.readTree(cluster.get("/jobs/" + jid)).path("state").asText();
    }

    /** The resource id of a TaskManager running a subtask of the vertex headed by the named operator. */
    private String taskManagerRunning(StandaloneCluster cluster, String jid, String vertexName) throws Exception {
        for (JsonNode v : json.readTree(cluster.get("/jobs/" + jid)).path("vertices")) {
            String name = v.path("name").asText(); // a chain is named "head -> next -> ..."
            if (name.equals(vertexName) || name.startsWith(vertexName + " -> ")) {
                JsonNode tms = json.readTree(cluster.get("/jobs/" + jid + "/vertices/" + v.path("id").asText()
                        + "/taskmanagers"));
                return tms.path("taskmanagers").get(0).path("taskmanager-id").asText();
            }
        }
        throw new AssertionError("no vertex " + vertexName + " in job " + jid);
    }

    private void awaitRestartedAndRunning(StandaloneCluster cluster, RestClusterAccess access, String jid,
            Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            JsonNode j = json.readTree(cluster.get("/jobs/" + jid));
            if (j.path("timestamps").path("RESTARTING").asLong(0) > 0) {
                assertThat(access.awaitRunning(JobID.fromHexString(jid), Math.max(1, (end - System.nanoTime()) / 1_000_000)))
                        .as("job %s runs again after its restart", jid).isTrue();
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("job " + jid + " did not restart within " + timeout);
    }
}
