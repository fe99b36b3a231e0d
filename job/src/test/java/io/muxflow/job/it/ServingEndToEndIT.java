package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.codec.Encoding;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ServingEndToEndIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(6).build());

    static final String PROFILES = """
            {"models": [{"model": "bert-tiny", "configs": [
              {"pp": 1, "latency_s": {"1": [0.004]}, "weight_bytes": [16000000]},
              {"pp": 2, "latency_s": {"1": [0.003, 0.002]}, "weight_bytes": [15000000, 1000000]}]}]}
            """;
    static final String PLAN = """
            {"version": 1, "policy": "test",
             "groups": [{"id": 0, "devices": 1, "op": 1, "pp": 1, "models": ["a"]},
                        {"id": 1, "devices": 2, "op": 1, "pp": 2, "models": ["a", "b"]}],
             "model_profiles": {"a": "bert-tiny", "b": "bert-tiny"}}
            """;

    static ServingHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new ServingHarness("e2e");
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    static InferenceRequest request(String id, String model, int... tokens) {
        List<Integer> t = new java.util.ArrayList<>();
        for (int x : tokens) {
            t.add(x);
        }
        return InferenceRequest.newBuilder().setRequestId(id).setModel(model)
                .setClientSendUs(io.muxflow.job.model.Clocks.nowUs()).setSloUs(5_000_000L).setTokenIds(t).build();
    }

    @Test
    void twoModelsOnTwoGroupsAnswerEveryRequestExactlyOnce() throws Exception {
        Plan plan = Plan.parse(Json.parse(PLAN, "plan"), "plan");
        ProfileDatabase profiles = ServingHarness.profiles(PROFILES);
        JobClient job = h.submit(plan, profiles);
        int n = 120;
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(h.kafka.bootstrapServers());
                KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(h.kafka.bootstrapServers(), h.responses(), true)) {
            for (int i = 0; i < n; i++) {
                KafkaClients.send(p, h.requests(), request("r" + i, i % 3 == 0 ? "b" : "a", 101, i % 500, 7, 102),
                        i % 2 == 0 ? Encoding.AVRO : Encoding.JSON);
                if (i % 20 == 0) {
                    Thread.sleep(50);
                }
            }
            p.flush();
            List<ConsumerRecord<byte[], byte[]>> got = KafkaClients.readUntil(c, Duration.ofSeconds(60),
                    l -> l.size() >= n);
            Map<String, Integer> count = new HashMap<>();
            Map<Integer, Integer> groups = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : got) {
                InferenceResponse resp = KafkaClients.decodeResponse(r.value());
                count.merge(resp.getRequestId(), 1, Integer::sum);
                assertThat(resp.getStatus()).as(resp.getDetail()).isEqualTo(ResponseStatus.OK);
                assertThat(resp.getOutput()).hasSize(128);
                assertThat(resp.getPlanVersion()).isEqualTo(1);
                assertThat(resp.getTimestamps().getStages()).isNotEmpty();
                assertThat(resp.getTimestamps().getFinishedUs()).isGreaterThanOrEqualTo(resp.getTimestamps().getReceivedUs());
                groups.merge(resp.getGroup(), 1, Integer::sum);
                // responses come back in the request's encoding
                int i = Integer.parseInt(resp.getRequestId().substring(1));
                assertThat(Encoding.sniff(r.value())).isEqualTo(i % 2 == 0 ? Encoding.AVRO : Encoding.JSON);
            }
            assertThat(count).hasSize(n);
            assertThat(count.values()).containsOnly(1);
            assertThat(groups.keySet()).containsExactlyInAnyOrder(0, 1);
        } finally {
            job.cancel().get();
        }
    }
}
