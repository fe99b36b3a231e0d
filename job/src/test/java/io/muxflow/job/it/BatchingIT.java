package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.StageTiming;
import io.muxflow.schema.codec.Encoding;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batching live (issue 22, part 4): the serving job with {@code muxflow.dispatch.max-batch} 4 on a
 * MiniCluster, a real broker and the cpu backend. Bursts of requests queue at the dispatcher and run
 * as batches on both groups (a one-stage group and a two-stage one, whose second stage receives the
 * batch from its first); every request is answered exactly once, OK, with the output it gets alone.
 */
class BatchingIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(6).build());

    /** bert-tiny with batch sizes (the figures only steer admission; the cpu backend computes for real). */
    static final String PROFILES = """
            {"models": [{"model": "bert-tiny", "configs": [
              {"pp": 1, "latency_s": {"1": [0.004], "2": [0.005], "4": [0.007]}, "weight_bytes": [16000000]},
              {"pp": 2, "latency_s": {"1": [0.003, 0.002], "2": [0.004, 0.003], "4": [0.005, 0.004]},
               "weight_bytes": [15000000, 1000000]}]}]}
            """;

    @Test
    void burstsRunAsBatchesAndEveryRequestIsAnsweredOnceWithItsOwnOutput() throws Exception {
        try (ServingHarness h = new ServingHarness("batch");
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(h.kafka.bootstrapServers())) {
            h.conf.set(MuxflowOptions.MAX_BATCH, 4);
            JobClient job = h.submit(Plan.parse(Json.parse(ServingEndToEndIT.PLAN, "plan"), "plan"),
                    ServingHarness.profiles(PROFILES));
            try {
                Set<String> ids = new HashSet<>();
                int n = 0;
                for (int burst = 0; burst < 6; burst++) {
                    for (int i = 0; i < 24; i++, n++) {
                        String id = "b-" + n;
                        ids.add(id);
                        // two token contents only, so equal inputs can be compared across batches
                        InferenceRequest r = InferenceRequest.newBuilder().setRequestId(id)
                                .setModel(n % 3 == 0 ? "b" : "a").setClientSendUs(Clocks.nowUs()).setSloUs(20_000_000L)
                                .setTokenIds(n % 2 == 0 ? List.of(101, 5, 7, 102) : List.of(101, 9, 102)).build();
                        KafkaClients.send(producer, h.requests(), r, Encoding.AVRO);
                    }
                    producer.flush();
                    Thread.sleep(300);
                }
                Map<String, List<InferenceResponse>> got = KafkaClients.awaitResponses(h.kafka.bootstrapServers(),
                        h.responses(), ids, Duration.ofSeconds(90));
                assertThat(got.keySet()).isEqualTo(ids);
                Map<String, Integer> runs = new HashMap<>(); // (group, stage, start, end) -> requests in that run
                Map<String, float[]> outputByInput = new HashMap<>();
                for (var e : got.entrySet()) {
                    assertThat(e.getValue()).as(e.getKey()).hasSize(1);
                    InferenceResponse resp = e.getValue().get(0);
                    assertThat(resp.getStatus()).as(resp.getDetail()).isEqualTo(ResponseStatus.OK);
                    for (StageTiming s : resp.getTimestamps().getStages()) {
                        runs.merge(resp.getGroup() + "/" + s.getStage() + "/" + s.getStartUs() + "/" + s.getEndUs(), 1,
                                Integer::sum);
                    }
                    int num = Integer.parseInt(e.getKey().substring(2));
                    float[] out = new float[resp.getOutput().size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = resp.getOutput().get(i);
                    }
                    float[] first = outputByInput.putIfAbsent(resp.getGroup() + "/" + (num % 2), out);
                    if (first != null) {
                        for (int i = 0; i < out.length; i++) {
                            assertThat(out[i]).as("%s value %d: as in any other batch", e.getKey(), i)
                                    .isCloseTo(first[i], org.assertj.core.data.Offset.offset(1e-4f));
                        }
                    }
                }
                // batches on both groups, and through the two-stage group's second stage
                for (String groupStage : List.of("0/0/", "1/0/", "1/1/")) {
                    int largest = runs.entrySet().stream().filter(r -> r.getKey().startsWith(groupStage))
                            .mapToInt(Map.Entry::getValue).max().orElse(0);
                    assertThat(largest).as("largest batch at group/stage %s", groupStage).isBetween(2, 4);
                }
                assertThat(runs.values().stream().mapToInt(Integer::intValue).max().orElse(0)).isLessThanOrEqualTo(4);
            } finally {
                job.cancel().get();
            }
        }
    }
}
