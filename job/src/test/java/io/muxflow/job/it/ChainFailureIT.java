package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.chain.ChainFixtures;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.codec.Encoding;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A TaskManager dies while jobs generate over the chain: the KV caches die with it; the job restarts
 * from its last checkpoint, the chain dispatcher resumes every job in flight from its checkpointed
 * state (prompt and tokens so far) by prefilling again under a new attempt, and messages of the old
 * attempts are ignored. Every request gets exactly one final response, with the tokens an
 * uninterrupted run makes.
 */
class ChainFailureIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(8).build());

    static final int JOBS = 6;
    static final int TOKENS = 120;

    @Test
    void aTaskManagerKilledMidGenerationChangesNoToken(@InjectMiniCluster MiniCluster cluster) throws Exception {
        try (ServingHarness h = new ServingHarness("chainfail")) {
            JobClient job = h.submit(ChainFixtures.plan(2), ServingHarness.profiles("{\"models\": []}"));
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(h.kafka.bootstrapServers());
                    KafkaConsumer<byte[], byte[]> events = KafkaClients.consumer(h.kafka.bootstrapServers(),
                            h.conf.get(MuxflowOptions.CHAIN_EVENTS_TOPIC), false);
                    KafkaConsumer<byte[], byte[]> responses = KafkaClients.consumer(h.kafka.bootstrapServers(),
                            h.responses(), true)) {
                for (int i = 0; i < JOBS; i++) {
                    KafkaClients.send(p, h.requests(), ChainPathIT.generate("f" + i, List.of(300 + i, 11, 12), TOKENS)
                            .setTemperature(i % 2 == 0 ? 0f : 0.7f).setSeed(i).build(), Encoding.AVRO);
                }
                p.flush();
                // let the jobs get well into their generations (tokens flowing, checkpoints taken), then kill
                List<ConsumerRecord<byte[], byte[]>> seen = KafkaClients.readUntil(events, Duration.ofSeconds(90),
                        l -> l.size() >= 150);
                assertThat(seen.size()).as("token events before the kill").isGreaterThanOrEqualTo(150);
                Thread.sleep(1500); // at least one checkpoint with jobs in flight
                cluster.terminateTaskManager(0).get();
                cluster.startTaskManager();

                Map<String, List<InferenceResponse>> got = new HashMap<>();
                KafkaClients.readUntil(responses, Duration.ofSeconds(180), l -> {
                    got.clear();
                    for (ConsumerRecord<byte[], byte[]> r : l) {
                        InferenceResponse resp = KafkaClients.decodeResponse(r.value());
                        got.computeIfAbsent(resp.getRequestId(), k -> new java.util.ArrayList<>()).add(resp);
                    }
                    return got.size() >= JOBS;
                });
                // nothing more after everything was answered: no late duplicates
                for (ConsumerRecord<byte[], byte[]> r : KafkaClients.readUntil(responses, Duration.ofSeconds(3), l -> false)) {
                    InferenceResponse resp = KafkaClients.decodeResponse(r.value());
                    got.computeIfAbsent(resp.getRequestId(), k -> new java.util.ArrayList<>()).add(resp);
                }
                assertThat(got).hasSize(JOBS);
                for (int i = 0; i < JOBS; i++) {
                    List<InferenceResponse> rs = got.get("f" + i);
                    assertThat(rs).as("responses to f" + i).hasSize(1);
                    InferenceResponse r = rs.get(0);
                    assertThat(r.getStatus()).as(r.getDetail()).isEqualTo(ResponseStatus.OK);
                    assertThat(ChainPathIT.ints(r.getTokens())).as("tokens of f" + i).containsExactly(
                            ChainFixtures.reference(new int[] {300 + i, 11, 12}, TOKENS, i % 2 == 0 ? 0f : 0.7f, 0, i,
                                    new int[0]));
                }
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            } finally {
                job.cancel().get();
            }
        }
    }
}
