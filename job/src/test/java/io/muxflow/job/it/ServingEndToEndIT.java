package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.schema.DeadLetter;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.Tensor;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The serving job on a MiniCluster with a real Kafka broker: two models on a two-group plan (one
 * group of one stage, one of two), every request answered exactly once; each kind of bad input
 * answered INVALID without stopping the job; {@code muxflow loadgen} driving it from a workload file;
 * and clients muxflow did not write (kcat with JSON, python3-avro with single-object encoding) sending
 * requests and reading their answers.
 */
public class ServingEndToEndIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(6).build());

    public static final String PROFILES = """
            {"models": [{"model": "bert-tiny", "configs": [
              {"pp": 1, "latency_s": {"1": [0.004]}, "weight_bytes": [16000000]},
              {"pp": 2, "latency_s": {"1": [0.003, 0.002]}, "weight_bytes": [15000000, 1000000]}]}]}
            """;
    public static final String PLAN = """
            {"version": 1, "policy": "test",
             "groups": [{"id": 0, "devices": 1, "op": 1, "pp": 1, "models": ["a"]},
                        {"id": 1, "devices": 2, "op": 1, "pp": 2, "models": ["a", "b"]}],
             "model_profiles": {"a": "bert-tiny", "b": "bert-tiny"}}
            """;
    static final int MAX_BYTES = 64 * 1024;

    static ServingHarness h;
    static JobClient job;
    static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() throws Exception {
        h = new ServingHarness("e2e");
        h.conf.set(MuxflowOptions.MAX_REQUEST_BYTES, MAX_BYTES);
        producer = KafkaClients.producer(h.kafka.bootstrapServers());
    }

    /** Submits once; the MiniCluster's environment is only installed around each test, not in @BeforeAll. */
    @BeforeEach
    void submitOnce() throws Exception {
        if (job == null) {
            job = h.submit(Plan.parse(Json.parse(PLAN, "plan"), "plan"), ServingHarness.profiles(PROFILES));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        if (job != null) {
            job.cancel().get();
        }
        h.close();
    }

    static InferenceRequest.Builder request(String id, String model) {
        return InferenceRequest.newBuilder().setRequestId(id).setModel(model).setClientSendUs(Clocks.nowUs())
                .setSloUs(10_000_000L).setTokenIds(List.of(101, 5, 7, 102));
    }

    /** Reads responses until every id is answered (or 60 s pass); returns id -> responses. */
    static Map<String, List<InferenceResponse>> await(Set<String> ids) {
        return KafkaClients.awaitResponses(h.kafka.bootstrapServers(), h.responses(), ids, Duration.ofSeconds(60));
    }

    @Test
    void twoModelsOnTwoGroupsAnswerEveryRequestExactlyOnce() throws Exception {
        int n = 120;
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            String id = "ok-" + i;
            ids.add(id);
            InferenceRequest r = request(id, i % 3 == 0 ? "b" : "a").setTokenIds(List.of(101, i % 500, 7, 102)).build();
            KafkaClients.send(producer, h.requests(), r, i % 2 == 0 ? Encoding.AVRO : Encoding.JSON);
            if (i % 20 == 0) {
                Thread.sleep(50);
            }
        }
        producer.flush();
        Map<String, List<InferenceResponse>> got = await(ids);
        assertThat(got.keySet()).isEqualTo(ids);
        Map<Integer, Integer> groups = new HashMap<>();
        for (List<InferenceResponse> rs : got.values()) {
            assertThat(rs).hasSize(1);
            InferenceResponse resp = rs.get(0);
            assertThat(resp.getStatus()).as(resp.getDetail()).isEqualTo(ResponseStatus.OK);
            assertThat(resp.getOutput()).hasSize(128);
            assertThat(resp.getPlanVersion()).isEqualTo(1);
            assertThat(resp.getTimestamps().getStages()).isNotEmpty();
            assertThat(resp.getTimestamps().getDispatchedUs()).isGreaterThanOrEqualTo(resp.getTimestamps().getReceivedUs());
            assertThat(resp.getTimestamps().getFinishedUs()).isGreaterThanOrEqualTo(resp.getTimestamps().getDispatchedUs());
            groups.merge(resp.getGroup(), 1, Integer::sum);
        }
        assertThat(groups.keySet()).containsExactlyInAnyOrder(0, 1);
        // the same tokens give the same output on either group (a split model equals the unsplit one)
    }

    @Test
    void everyKindOfBadInputIsAnsweredInvalidAndTheJobKeepsServing() throws Exception {
        long now = Clocks.nowUs();
        Map<String, byte[]> bad = new HashMap<>();
        bad.put("unknown-model", Codecs.REQUEST.encode(request("bad-model", "nope").build(), Encoding.AVRO));
        bad.put("too-many-tokens", Codecs.REQUEST.encode(request("bad-tokens", "a")
                .setTokenIds(Collections.nCopies(513, 1)).build(), Encoding.AVRO));
        bad.put("token-out-of-vocab", Codecs.REQUEST.encode(request("bad-vocab", "a").setTokenIds(List.of(1, 40000))
                .build(), Encoding.JSON));
        bad.put("wrong-shape", Codecs.REQUEST.encode(request("bad-shape", "a").setTokenIds(null)
                .setInput(new Tensor(List.of(2, 5), Collections.nCopies(10, 0.5f))).build(), Encoding.AVRO));
        List<Float> withNan = new ArrayList<>(Collections.nCopies(2 * 128, 0.25f));
        withNan.set(17, Float.NaN);
        bad.put("nan", Codecs.REQUEST.encode(request("bad-nan", "b").setTokenIds(null)
                .setInput(new Tensor(List.of(2, 128), withNan)).build(), Encoding.AVRO));
        bad.put("oversize", Codecs.REQUEST.encode(request("bad-size", "a").setTokenIds(null)
                .setInput(new Tensor(List.of(200, 128), Collections.nCopies(200 * 128, 0.1f))).build(), Encoding.AVRO));
        bad.put("no-deadline", Codecs.REQUEST.encode(request("bad-deadline", "a").setSloUs(null).build(), Encoding.AVRO));
        bad.put("past-deadline", Codecs.REQUEST.encode(request("bad-past", "a").setSloUs(null)
                .setDeadlineUs(now - 1_000_000).build(), Encoding.AVRO));
        // well formed but sent 5 s ago with a 1-s SLO: it expired before the job read it (REJECTED, not INVALID)
        producer.send(new ProducerRecord<>(h.requests(), "a".getBytes(), Codecs.REQUEST.encode(request("late-intake", "a")
                .setClientSendUs(now - 5_000_000).setSloUs(1_000_000L).build(), Encoding.AVRO)));
        bad.put("both-inputs", Codecs.REQUEST.encode(request("bad-both", "a")
                .setInput(new Tensor(List.of(1, 128), Collections.nCopies(128, 0f))).build(), Encoding.AVRO));
        for (byte[] v : bad.values()) {
            producer.send(new ProducerRecord<>(h.requests(), "x".getBytes(), v));
        }
        byte[] garbage = {(byte) 0xC3, 0x01, 9, 9, 9, 9, 9, 9, 9, 9, 42};
        producer.send(new ProducerRecord<>(h.requests(), "a".getBytes(), garbage));
        producer.send(new ProducerRecord<>(h.requests(), "a".getBytes(), "not json at all".getBytes()));
        // a good request with tensor input after all that
        producer.send(new ProducerRecord<>(h.requests(), "b".getBytes(), Codecs.REQUEST.encode(request("good-tensor", "b")
                .setTokenIds(null).setInput(new Tensor(List.of(3, 128), Collections.nCopies(3 * 128, 0.01f))).build(),
                Encoding.AVRO)));
        producer.flush();

        Map<String, String> expect = Map.of("bad-model", "unknown model 'nope'", "bad-tokens", "513 tokens",
                "bad-vocab", "outside the vocabulary", "bad-shape", "input shape [2, 5] is wrong", "bad-nan",
                "values[17] is NaN", "bad-size", "over the limit of " + MAX_BYTES, "bad-deadline", "no deadline",
                "bad-past", "is not after client_send_us", "bad-both", "not both");
        Set<String> ids = new java.util.HashSet<>(expect.keySet());
        ids.add("good-tensor");
        ids.add("late-intake");
        Map<String, List<InferenceResponse>> got = await(ids);
        for (Map.Entry<String, String> e : expect.entrySet()) {
            assertThat(got.get(e.getKey())).as(e.getKey()).hasSize(1);
            InferenceResponse r = got.get(e.getKey()).get(0);
            assertThat(r.getStatus()).as(e.getKey()).isEqualTo(ResponseStatus.INVALID);
            assertThat(r.getDetail()).as(e.getKey()).contains(e.getValue());
        }
        assertThat(got.get("good-tensor").get(0).getStatus()).isEqualTo(ResponseStatus.OK);
        assertThat(got.get("late-intake").get(0).getStatus()).isEqualTo(ResponseStatus.REJECTED);
        assertThat(got.get("late-intake").get(0).getDetail()).contains("ms in intake");

        // the two undecodable messages: INVALID responses named by their offsets, and dead letters
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(h.kafka.bootstrapServers(), h.responses(), true);
                KafkaConsumer<byte[], byte[]> d = KafkaClients.consumer(h.kafka.bootstrapServers(), h.deadLetters(), true)) {
            List<InferenceResponse> undecodable = KafkaClients.readUntil(c, Duration.ofSeconds(30), l -> l.stream()
                    .filter(r -> KafkaClients.decodeResponse(r.value()).getRequestId().startsWith("undecodable@"))
                    .count() >= 2).stream().map(r -> KafkaClients.decodeResponse(r.value()))
                    .filter(r -> r.getRequestId().startsWith("undecodable@")).toList();
            assertThat(undecodable).hasSize(2).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResponseStatus.INVALID));
            List<DeadLetter> letters = KafkaClients.readUntil(d, Duration.ofSeconds(30), l -> l.size() >= 2).stream()
                    .map(r -> {
                        try {
                            return Codecs.DEAD_LETTER.decodeBinary(r.value());
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }).toList();
            assertThat(letters).hasSize(2);
            assertThat(letters.stream().map(DeadLetter::getReason).collect(Collectors.joining("\n")))
                    .contains("neither Avro single-object encoding").contains("unknown schema fingerprint");
            assertThat(letters.stream().anyMatch(l -> java.util.Arrays.equals(l.getValue().array(), garbage))).isTrue();
        }
    }

    /**
     * A sample of the fuzz test's hostile payloads through the running job, between good requests: each
     * is answered INVALID under the id the validator gives it (its own, or its offset when undecodable),
     * the good ones are served, and the job never fails or restarts.
     */
    @Test
    void hostilePayloadsAreAnsweredInvalidAndTheJobNeverRestarts(
            @org.apache.flink.test.junit5.InjectMiniCluster org.apache.flink.runtime.minicluster.MiniCluster cluster)
            throws Exception {
        var plan = new io.muxflow.job.dispatch.ServingPlan(Plan.parse(Json.parse(PLAN, "plan"), "plan"),
                ServingHarness.profiles(PROFILES), "cpu", null, io.muxflow.planner.sim.SimOptions.defaults());
        Map<String, Integer> expected = new HashMap<>();
        Set<String> good = new java.util.HashSet<>();
        int sent = 0;
        int candidates = 0;
        for (io.muxflow.job.ingest.HostilePayloads.Payload p : new io.muxflow.job.ingest.HostilePayloads(77).generate(2000)) {
            var probe = io.muxflow.job.ingest.RequestValidation.validate(new io.muxflow.job.model.RawRecord(h.requests(), 0,
                    0, "a".getBytes(), p.bytes(), Clocks.nowUs()), plan, MAX_BYTES);
            if (probe.reply() == null || !probe.reply().status.equals("INVALID") || candidates++ % 7 != 0) {
                continue; // a sample: every 7th payload that is INVALID (at least 250 of them)
            }
            sent++;
            var md = producer.send(new ProducerRecord<>(h.requests(), "a".getBytes(), p.bytes())).get();
            var outcome = io.muxflow.job.ingest.RequestValidation.validate(new io.muxflow.job.model.RawRecord(md.topic(),
                    md.partition(), md.offset(), "a".getBytes(), p.bytes(), Clocks.nowUs()), plan, MAX_BYTES);
            expected.merge(outcome.reply().requestId, 1, Integer::sum);
            if (sent % 50 == 1) {
                String id = "between-hostile-" + sent;
                good.add(id);
                KafkaClients.send(producer, h.requests(), request(id, "a").build(), Encoding.AVRO);
            }
        }
        producer.flush();
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(total).isGreaterThanOrEqualTo(250);
        Map<String, Integer> invalid = new HashMap<>();
        Map<String, ResponseStatus> goodStatus = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(h.kafka.bootstrapServers(), h.responses(), true)) {
            KafkaClients.readUntil(c, Duration.ofSeconds(90), l -> {
                invalid.clear();
                for (ConsumerRecord<byte[], byte[]> r : l) {
                    InferenceResponse resp = KafkaClients.decodeResponse(r.value());
                    if (good.contains(resp.getRequestId())) {
                        goodStatus.put(resp.getRequestId(), resp.getStatus());
                    } else if (expected.containsKey(resp.getRequestId())) {
                        assertThat(resp.getStatus()).as(resp.getDetail()).isEqualTo(ResponseStatus.INVALID);
                        invalid.merge(resp.getRequestId(), 1, Integer::sum);
                    }
                }
                return invalid.equals(expected) && goodStatus.size() == good.size();
            });
        }
        assertThat(invalid).isEqualTo(expected);
        assertThat(goodStatus.values()).hasSize(good.size()).containsOnly(ResponseStatus.OK);
        var graph = cluster.getExecutionGraph(job.getJobID()).get();
        assertThat(graph.getFailureInfo()).as("the job never failed").isNull();
        assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
    }

    /** Idempotent request ids: the same request sent twice runs once; the second is answered REJECTED. */
    @Test
    void aResentRequestIdRunsOnceAndIsAnsweredTwice() throws Exception {
        InferenceRequest r = request("twice-1", "a").build();
        KafkaClients.send(producer, h.requests(), r, Encoding.AVRO);
        KafkaClients.send(producer, h.requests(), r, Encoding.JSON);
        producer.flush();
        List<InferenceResponse> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(h.kafka.bootstrapServers(), h.responses(), true)) {
            KafkaClients.readUntil(c, Duration.ofSeconds(60), l -> {
                got.clear();
                l.stream().map(x -> KafkaClients.decodeResponse(x.value()))
                        .filter(x -> x.getRequestId().equals("twice-1")).forEach(got::add);
                return got.size() >= 2;
            });
        }
        assertThat(got).extracting(InferenceResponse::getStatus).containsExactlyInAnyOrder(ResponseStatus.OK,
                ResponseStatus.REJECTED);
        InferenceResponse dup = got.stream().filter(x -> x.getStatus() == ResponseStatus.REJECTED).findFirst().get();
        assertThat(dup.getDetail()).contains("duplicate request id 'twice-1'").contains("first received at");
    }

    /** {@code muxflow loadgen} against this deployment: a generated two-model workload, every request answered. */
    @Test
    void theLoadgenCommandSendsAWorkloadAndReportsAttainmentFromTheResponses(@TempDir Path tmp) throws Exception {
        Path w = tmp.resolve("workload.json");
        Files.writeString(w, """
                {"duration_s": 3, "seed": 7, "models": [
                  {"name": "a", "rate": 10, "cv": 1, "slo_s": 5},
                  {"name": "b", "rate": 5, "cv": 4, "slo_s": 5}]}
                """);
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        var cl = io.muxflow.job.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        int code = cl.execute("loadgen", "--bootstrap", h.kafka.bootstrapServers(), "--workload", w.toString(),
                "--requests-topic", h.requests(), "--responses-topic", h.responses(), "--wait-s", "60", "--json");
        assertThat(code).as(out + "\n" + err).isZero();
        String[] lines = out.toString().strip().split("\n");
        var result = Json.parse(lines[lines.length - 1], "loadgen --json");
        int sent = result.get("sent").asInt();
        assertThat(sent).isPositive();
        assertThat(result.get("responses").asInt()).isEqualTo(sent);
        assertThat(result.get("attainment").asDouble()).isGreaterThan(0.5).isLessThanOrEqualTo(1.0);
        var perModel = result.get("per_model");
        int answered = 0;
        for (String m : List.of("a", "b")) {
            assertThat(perModel.has(m)).as(m + " in " + result).isTrue();
            answered += perModel.get(m).get("OK").asInt();
        }
        assertThat(answered).as("every request OK, on both models").isEqualTo(sent);
        assertThat(out.toString()).contains(sent + " of " + sent + " requests answered");
    }

    @Test
    void kcatSendsJsonAndReadsTheJsonAnswer() throws Exception {
        ExternalClients.needKcat();
        String line = "{\"request_id\": \"kcat-1\", \"model\": \"a\", \"slo_ms\": 10000, \"token_ids\": [101, 2, 3, 102]}";
        ExternalClients.Result p = ExternalClients.run(ExternalClients.kcat(h.kafka.bootstrapServers(), "-P", "-t",
                h.requests(), "-k", "a"), (line + "\n").getBytes(StandardCharsets.UTF_8), 30);
        assertThat(p.exit()).as(p.err()).isZero();
        JsonNode answer = null;
        long end = System.nanoTime() + 60_000_000_000L;
        while (answer == null && System.nanoTime() < end) {
            ExternalClients.Result c = ExternalClients.run(ExternalClients.kcat(h.kafka.bootstrapServers(), "-C", "-t",
                    h.responses(), "-o", "beginning", "-e", "-q", "-X", "isolation.level=read_committed", "-f", "%s\n"),
                    null, 30);
            for (String l : c.text().split("\n")) {
                if (l.startsWith("{") && l.contains("\"kcat-1\"")) {
                    answer = new ObjectMapper().readTree(l);
                }
            }
            if (answer == null) {
                Thread.sleep(500);
            }
        }
        assertThat(answer).as("kcat read no answer to kcat-1").isNotNull();
        assertThat(answer.get("status").asText()).isEqualTo("OK");
        // plain JSON: the output is an array, the group a number (no Avro union wrappers)
        assertThat(answer.get("output").size()).isEqualTo(128);
        assertThat(answer.get("group").isInt()).as(answer.toString()).isTrue();
    }

    @Test
    void python3AvroSendsSingleObjectEncodingAndDecodesTheAnswer(@TempDir Path tmp) throws Exception {
        ExternalClients.needKcat();
        ExternalClients.needPythonAvro();
        Path schemas = ExternalClients.schemaDir(tmp);
        Path script = ExternalClients.script(tmp, "avro_client.py");
        Path msg = tmp.resolve("req.bin");
        ExternalClients.Result enc = ExternalClients.run(List.of(ExternalClients.PYTHON, script.toString(), "encode",
                schemas.toString(), "py-1", "b", msg.toString()), null, 30);
        assertThat(enc.exit()).as(enc.err()).isZero();
        // the python client's bytes decode with muxflow's codec too: the fingerprint matches
        assertThat(Codecs.REQUEST.decodeBinary(Files.readAllBytes(msg)).getRequestId()).isEqualTo("py-1");
        ExternalClients.Result p = ExternalClients.run(ExternalClients.kcat(h.kafka.bootstrapServers(), "-P", "-t",
                h.requests(), "-k", "b", msg.toString()), null, 30);
        assertThat(p.exit()).as(p.err()).isZero();
        JsonNode answer = null;
        long end = System.nanoTime() + 60_000_000_000L;
        while (answer == null && System.nanoTime() < end) {
            ExternalClients.Result c = ExternalClients.run(ExternalClients.kcat(h.kafka.bootstrapServers(), "-C", "-t",
                    h.responses(), "-o", "beginning", "-e", "-q", "-X", "isolation.level=read_committed", "-f", "%k %S\n%s"),
                    null, 30);
            ExternalClients.Result dec = ExternalClients.run(List.of(ExternalClients.PYTHON, script.toString(), "decode",
                    schemas.toString()), c.out(), 30);
            assertThat(dec.exit()).as(dec.err()).isZero();
            for (String l : dec.text().split("\n")) {
                if (l.contains("\"py-1\"")) {
                    answer = new ObjectMapper().readTree(l);
                }
            }
            if (answer == null) {
                Thread.sleep(500);
            }
        }
        assertThat(answer).as("python3-avro read no answer to py-1").isNotNull();
        assertThat(answer.get("status").asText()).isEqualTo("OK");
        assertThat(answer.get("output_len").asInt()).isEqualTo(128);
        assertThat(answer.get("client").asText()).isEqualTo("python3-avro");
    }
}
