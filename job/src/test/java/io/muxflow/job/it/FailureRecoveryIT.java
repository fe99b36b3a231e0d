package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.model.Clocks;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.schema.InferenceRequest;
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
 * A TaskManager dies while requests flow: the job restarts from its last checkpoint on a new one and
 * every request still gets exactly one (committed) response, checked by request id.
 */
class FailureRecoveryIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(6).build());

    @Test
    void aTaskManagerFailureLosesAndDuplicatesNothing(@InjectMiniCluster MiniCluster cluster) throws Exception {
        try (ServingHarness h = new ServingHarness("fail")) {
            JobClient job = h.submit(Plan.parse(Json.parse(ServingEndToEndIT.PLAN, "plan"), "plan"),
                    ServingHarness.profiles(ServingEndToEndIT.PROFILES));
            int n = 600;
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(h.kafka.bootstrapServers());
                    KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(h.kafka.bootstrapServers(), h.responses(),
                            true)) {
                Thread sender = new Thread(() -> {
                    for (int i = 0; i < n; i++) {
                        KafkaClients.send(p, h.requests(), InferenceRequest.newBuilder().setRequestId("f" + i)
                                .setModel(i % 2 == 0 ? "a" : "b").setClientSendUs(Clocks.nowUs())
                                .setSloUs(120_000_000L).setTokenIds(List.of(101, i % 300, 102)).build(), Encoding.AVRO);
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    p.flush();
                });
                sender.start();
                // let a few checkpoints complete and responses flow, then kill the TaskManager
                List<ConsumerRecord<byte[], byte[]>> before = KafkaClients.readUntil(c, Duration.ofSeconds(60),
                        l -> l.size() >= 100);
                assertThat(before.size()).isGreaterThanOrEqualTo(100);
                cluster.terminateTaskManager(0).get();
                cluster.startTaskManager();
                sender.join();
                List<ConsumerRecord<byte[], byte[]>> after = KafkaClients.readUntil(c, Duration.ofSeconds(120),
                        l -> l.size() + before.size() >= n);
                Map<String, Integer> count = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : before) {
                    count.merge(KafkaClients.decodeResponse(r.value()).getRequestId(), 1, Integer::sum);
                }
                for (ConsumerRecord<byte[], byte[]> r : after) {
                    InferenceResponse resp = KafkaClients.decodeResponse(r.value());
                    count.merge(resp.getRequestId(), 1, Integer::sum);
                    assertThat(resp.getStatus()).as(resp.getDetail()).isIn(ResponseStatus.OK, ResponseStatus.TIMED_OUT,
                            ResponseStatus.REJECTED);
                }
                // nothing more arrives after everything was answered: no late duplicates either
                List<ConsumerRecord<byte[], byte[]>> extra = KafkaClients.readUntil(c, Duration.ofSeconds(3), l -> false);
                for (ConsumerRecord<byte[], byte[]> r : extra) {
                    count.merge(KafkaClients.decodeResponse(r.value()).getRequestId(), 1, Integer::sum);
                }
                assertThat(count).hasSize(n);
                assertThat(count.values()).containsOnly(1);
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            } finally {
                job.cancel().get();
            }
        }
    }
}
