package io.muxflow.job.egress.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.local.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pooled exactly-once sink against a real broker: records are visible to read_committed readers
 * only once committed; transactions rotate over the pool and an id is reused only under a new epoch;
 * a restore commits what a checkpoint left pending and aborts what was written after it, even while
 * the crashed writer's producers are still alive.
 */
class PooledTransactionalSinkIT {
    static final String JOB = "job-under-test";
    static EmbeddedKafka kafka;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("muxflow-txn");
        kafka = EmbeddedKafka.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    static Properties props() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("key.serializer", ByteArraySerializer.class.getName());
        p.setProperty("value.serializer", ByteArraySerializer.class.getName());
        p.setProperty("linger.ms", "0");
        p.setProperty("transaction.timeout.ms", "600000");
        return p;
    }

    static String topic() throws Exception {
        String t = "txn-" + UUID.randomUUID();
        kafka.createTopics(Map.of(t, 1));
        return t;
    }

    static KafkaConsumer<byte[], byte[]> committedReader(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "test-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(topic));
        return c;
    }

    /** Values read until {@code n} arrived or {@code timeout} passed. */
    static List<String> read(KafkaConsumer<byte[], byte[]> c, int n, Duration timeout) {
        List<String> out = new ArrayList<>();
        long end = System.nanoTime() + timeout.toNanos();
        while (out.size() < n && System.nanoTime() < end) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                out.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String v) {
        return new ProducerRecord<>(topic, null, v.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void recordsAppearOnlyWhenCommittedAndTransactionsRotateUnderNewEpochs() throws Exception {
        String topic = topic();
        try (TransactionPool pool = new TransactionPool(JOB, props(), "rot", 0, 0, 2, List.of());
                KafkaConsumer<byte[], byte[]> c = committedReader(topic)) {
            assertThat(pool.prepare()).as("nothing written: nothing to commit").isNull();
            pool.send(record(topic, "a1"));
            pool.send(record(topic, "a2"));
            TxnCommittable first = pool.prepare();
            assertThat(pool.state().pending()).containsExactly(first);
            pool.send(record(topic, "b1"));
            TxnCommittable second = pool.prepare();
            assertThat(second.transactionalId()).as("the next transaction runs on the other producer")
                    .isNotEqualTo(first.transactionalId());
            assertThat(read(c, 1, Duration.ofSeconds(2))).as("prepared, not committed").isEmpty();

            assertThat(TransactionPool.commitIfOwned("another-job", first)).as("another job's pools are not asked")
                    .isFalse();
            assertThat(TransactionPool.commitIfOwned(JOB, first)).isTrue();
            assertThat(TransactionPool.commitIfOwned(JOB, first)).as("a second commit of the same one is a no-op").isTrue();
            assertThat(read(c, 2, Duration.ofSeconds(30))).containsExactly("a1", "a2");
            assertThat(TransactionPool.commitIfOwned(JOB, second)).isTrue();
            assertThat(read(c, 1, Duration.ofSeconds(30))).containsExactly("b1");

            // the first producer is fenced again after its commit and carries the next transaction
            pool.send(record(topic, "c1"));
            TxnCommittable third = pool.prepare();
            assertThat(third.producerId()).isEqualTo(first.producerId());
            assertThat(third.transactionalId()).isEqualTo(first.transactionalId());
            assertThat(third.epoch()).isGreaterThan(first.epoch());
            assertThat(pool.state().pending()).containsExactly(third);
            assertThat(TransactionPool.commitIfOwned(JOB, third)).isTrue();
            assertThat(read(c, 1, Duration.ofSeconds(30))).containsExactly("c1");
        }
    }

    @Test
    void restoreCommitsWhatTheCheckpointHeldAndAbortsWhatCameAfter() throws Exception {
        String topic = topic();
        TransactionPool crashed = new TransactionPool(JOB, props(), "rec", 0, 0, 2, List.of());
        try (KafkaConsumer<byte[], byte[]> c = committedReader(topic)) {
            crashed.send(record(topic, "before-1"));
            crashed.send(record(topic, "before-2"));
            TxnCommittable pending = crashed.prepare();
            TxnWriterState checkpoint = crashed.state();
            // written after the checkpoint, flushed to the broker, never committed
            crashed.send(record(topic, "after"));
            crashed.flush();

            try (TransactionPool restored = new TransactionPool(JOB, props(), "rec", 7, 0, 2, List.of(checkpoint))) {
                // the crashed writer's producer is still alive (a zombie): it must be fenced, not heard
                assertThat(TransactionPool.commitIfOwned(JOB, pending)).as("the zombie commits nothing").isTrue();
                restored.send(record(topic, "new"));
                TxnCommittable next = restored.prepare();
                assertThat(next.transactionalId()).startsWith("rec-7-0-");
                assertThat(TransactionPool.commitIfOwned(JOB, next)).isTrue();
                assertThat(read(c, 3, Duration.ofSeconds(30))).containsExactly("before-1", "before-2", "new");
                assertThat(read(c, 1, Duration.ofSeconds(2))).as("the aborted record stays invisible").isEmpty();

                // the zombie's own commit failed (fenced): it says so at its next flush and still lists
                // the transaction as pending, for a restore to settle
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                Throwable zombie = null;
                while (zombie == null && System.nanoTime() < until) {
                    try {
                        crashed.flush();
                        Thread.sleep(50);
                    } catch (java.io.IOException e) {
                        zombie = e;
                    }
                }
                assertThat(zombie).as("the fenced zombie fails").isNotNull().hasMessageContaining("rec subtask 0 failed");
                assertThat(crashed.state().pending()).contains(pending);

                // Flink's committer restores the same committable: already committed, said so, not failed
                List<String> outcome = new ArrayList<>();
                new PooledTransactionalCommitter(JOB, props()).commit(List.of(request(pending, outcome)));
                assertThat(outcome).containsExactly("already committed");
            } finally {
                crashed.close();
            }
        }
    }

    @Test
    void serializersRoundTripTheCheckpointFormats() throws Exception {
        TxnCommittable c = new TxnCommittable("p-3-1-2", 4711, (short) 9);
        TxnWriterState s = new TxnWriterState(3, 1, 4, List.of(c, new TxnCommittable("p-3-1-0", 4712, (short) 1)));
        TxnSerializers.Committables cs = new TxnSerializers.Committables();
        TxnSerializers.WriterStates ws = new TxnSerializers.WriterStates();
        assertThat(cs.deserialize(cs.getVersion(), cs.serialize(c))).isEqualTo(c);
        assertThat(ws.deserialize(ws.getVersion(), ws.serialize(s))).isEqualTo(s);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ws.deserialize(2, ws.serialize(s)))
                .hasMessageContaining("version 2");
    }

    static Committer.CommitRequest<TxnCommittable> request(TxnCommittable c, List<String> outcome) {
        return new Committer.CommitRequest<>() {
            @Override
            public TxnCommittable getCommittable() {
                return c;
            }

            @Override
            public int getNumberOfRetries() {
                return 0;
            }

            @Override
            public void signalFailedWithKnownReason(Throwable t) {
                outcome.add("failed: " + t);
            }

            @Override
            public void signalFailedWithUnknownReason(Throwable t) {
                outcome.add("failed: " + t);
            }

            @Override
            public void retryLater() {
                outcome.add("retry");
            }

            @Override
            public void updateAndRetryLater(TxnCommittable committable) {
                outcome.add("retry");
            }

            @Override
            public void signalAlreadyCommitted() {
                outcome.add("already committed");
            }
        };
    }
}
