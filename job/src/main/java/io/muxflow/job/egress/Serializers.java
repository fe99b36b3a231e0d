package io.muxflow.job.egress;

import io.muxflow.job.model.DeadLetterRecord;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.StageReport;
import io.muxflow.schema.DeadLetter;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The Kafka (de)serializers of the job's topics. */
public final class Serializers {
    private Serializers() {
    }

    /** Responses, keyed by request id. */
    public static KafkaRecordSerializationSchema<Reply> replies(String topic) {
        return (KafkaRecordSerializationSchema<Reply>) (r, ctx, ts) -> new ProducerRecord<>(topic,
                r.requestId.getBytes(StandardCharsets.UTF_8), Responses.encode(r));
    }

    public static KafkaRecordSerializationSchema<DeadLetterRecord> deadLetters(String topic) {
        return (KafkaRecordSerializationSchema<DeadLetterRecord>) (d, ctx, ts) -> new ProducerRecord<>(topic, d.key,
                Codecs.DEAD_LETTER.encode(new DeadLetter(d.topic, d.partition, d.offset,
                        d.key == null ? null : ByteBuffer.wrap(d.key), d.value == null ? null : ByteBuffer.wrap(d.value),
                        d.reason, d.receivedUs), Encoding.AVRO));
    }

    public static KafkaRecordSerializationSchema<StageReport> reports(String topic) {
        return (KafkaRecordSerializationSchema<StageReport>) (r, ctx, ts) -> new ProducerRecord<>(topic, null,
                r.toBytes());
    }

    public static KafkaRecordSerializationSchema<io.muxflow.job.adapt.ModelStatsEvent> stats(String topic) {
        return (KafkaRecordSerializationSchema<io.muxflow.job.adapt.ModelStatsEvent>) (s, ctx, ts) -> new ProducerRecord<>(
                topic, s.model.getBytes(StandardCharsets.UTF_8), Codecs.STATS.encode(
                        io.muxflow.schema.ModelArrivalStats.newBuilder().setModel(s.model).setWindowStartUs(s.windowStartUs)
                                .setWindowEndUs(s.windowEndUs).setCount(s.count).setRate(s.rate)
                                .setCv(Double.isNaN(s.cv) ? 0 : s.cv)
                                .setAttainment(Double.isNaN(s.attainment) ? null : s.attainment)
                                .setResponses(s.responses).build(), Encoding.AVRO));
    }

    public static KafkaRecordSerializationSchema<io.muxflow.job.adapt.PlanRecord> plans(String topic) {
        return (KafkaRecordSerializationSchema<io.muxflow.job.adapt.PlanRecord>) (p, ctx, ts) -> new ProducerRecord<>(
                topic, null, Codecs.PLAN.encode(p.toAvro(), Encoding.AVRO));
    }

    /** Partitions of the hop topic: a server's work goes to partition (server mod this). */
    public static final int CHAIN_HOP_PARTITIONS = 8;

    /** Work for chain servers: partitioned by server, so each server's messages stay in order. */
    public static KafkaRecordSerializationSchema<io.muxflow.job.chain.ChainHop> chainHops(String topic) {
        return (KafkaRecordSerializationSchema<io.muxflow.job.chain.ChainHop>) (h, ctx, ts) -> new ProducerRecord<>(topic,
                h.targetServer() % CHAIN_HOP_PARTITIONS, null, h.llm.getBytes(StandardCharsets.UTF_8),
                io.muxflow.job.chain.ChainHopCodec.encode(h));
    }

    /** Tokens and job ends, keyed by LLM: one partition per LLM keeps a job's tokens before its end. */
    public static KafkaRecordSerializationSchema<io.muxflow.job.chain.ChainHop> chainEvents(String topic) {
        return (KafkaRecordSerializationSchema<io.muxflow.job.chain.ChainHop>) (h, ctx, ts) -> new ProducerRecord<>(topic,
                h.llm.getBytes(StandardCharsets.UTF_8), io.muxflow.job.chain.ChainHopCodec.encode(h));
    }

    /** Streamed tokens, keyed by request id, in the encoding the request came in. */
    public static KafkaRecordSerializationSchema<io.muxflow.job.chain.StreamedToken> tokens(String topic) {
        return (KafkaRecordSerializationSchema<io.muxflow.job.chain.StreamedToken>) (t, ctx, ts) -> new ProducerRecord<>(
                topic, t.requestId.getBytes(StandardCharsets.UTF_8), Codecs.TOKEN.encode(
                        io.muxflow.schema.GeneratedToken.newBuilder().setRequestId(t.requestId).setModel(t.model)
                                .setStep(t.step).setTokenId(t.token).setGeneratedUs(t.generatedUs).build(),
                        t.encoding == 1 ? Encoding.JSON : Encoding.AVRO));
    }

    /** Chain hops and events; a record of another layout is skipped. */
    public static final class ChainHopDeserializer implements KafkaRecordDeserializationSchema<io.muxflow.job.chain.ChainHop> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<io.muxflow.job.chain.ChainHop> out) {
            io.muxflow.job.chain.ChainHop h = io.muxflow.job.chain.ChainHopCodec.decode(record.value());
            if (h != null) {
                h.readUs = io.muxflow.job.model.Clocks.nowUs();
                out.collect(h);
            }
        }

        @Override
        public TypeInformation<io.muxflow.job.chain.ChainHop> getProducedType() {
            return TypeInformation.of(io.muxflow.job.chain.ChainHop.class);
        }
    }

    /** Stage reports back into the dispatcher; anything malformed is skipped. */
    public static final class ReportDeserializer implements KafkaRecordDeserializationSchema<StageReport> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<StageReport> out) {
            StageReport r = StageReport.fromBytes(record.value());
            if (r != null) {
                out.collect(r);
            }
        }

        @Override
        public TypeInformation<StageReport> getProducedType() {
            return TypeInformation.of(StageReport.class);
        }
    }
}
