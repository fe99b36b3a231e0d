package io.muxflow.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import io.muxflow.schema.codec.RequestDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class CodecTest {
    static InferenceRequest request() {
        return InferenceRequest.newBuilder().setRequestId("r-1").setModel("m0").setClientSendUs(1_700_000_000_000_000L)
                .setSloUs(500_000L).setTokenIds(List.of(1, 2, 3)).setAttributes(Map.of("tenant", "a")).build();
    }

    static InferenceResponse response() {
        return InferenceResponse.newBuilder().setRequestId("r-1").setModel("m0").setStatus(ResponseStatus.OK)
                .setDetail("").setOutput(List.of(0.5f, -1f)).setOutputShape(List.of(2))
                .setTimestamps(Timestamps.newBuilder().setClientSendUs(1).setDeadlineUs(2).setReceivedUs(3)
                        .setDispatchedUs(4).setStages(List.of(new StageTiming(0, 5L, 6L))).setFinishedUs(7).build())
                .setGroup(1).setPlanVersion(3).build();
    }

    @Test
    void everyRecordRoundTripsInBothEncodings() throws IOException {
        for (Encoding e : Encoding.values()) {
            byte[] b = Codecs.REQUEST.encode(request(), e);
            assertThat(Encoding.sniff(b)).isEqualTo(e);
            assertThat(RequestDecoder.decode(b).request()).isEqualTo(request());
            assertThat(RequestDecoder.decode(b).encoding()).isEqualTo(e);
            byte[] r = Codecs.RESPONSE.encode(response(), e);
            assertThat(e == Encoding.AVRO ? Codecs.RESPONSE.decodeBinary(r) : Codecs.RESPONSE.decodeJson(r))
                    .isEqualTo(response());
        }
        DeadLetter d = new DeadLetter("t", 0, 5L, null, java.nio.ByteBuffer.wrap(new byte[] {1}), "why", 9L);
        assertThat(Codecs.DEAD_LETTER.decodeBinary(Codecs.DEAD_LETTER.encode(d, Encoding.AVRO))).isEqualTo(d);
        ModelArrivalStats s = ModelArrivalStats.newBuilder().setModel("m").setWindowStartUs(0).setWindowEndUs(1)
                .setCount(3).setRate(2.5).setCv(1.2).setAttainment(0.9).build();
        assertThat(Codecs.STATS.decodeBinary(Codecs.STATS.encode(s, Encoding.AVRO))).isEqualTo(s);
        PlacementPlan p = PlacementPlan.newBuilder().setVersion(2).setCreatedUs(5).setPlanJson("{}").build();
        assertThat(Codecs.PLAN.decodeJson(Codecs.PLAN.encode(p, Encoding.JSON))).isEqualTo(p);
    }

    @Test
    void theSingleObjectHeaderCarriesTheSchemaFingerprint() {
        byte[] b = Codecs.REQUEST.encode(request(), Encoding.AVRO);
        assertThat(b[0]).isEqualTo((byte) 0xC3);
        assertThat(b[1]).isEqualTo((byte) 0x01);
        long fp = org.apache.avro.SchemaNormalization.parsingFingerprint64(InferenceRequest.getClassSchema());
        long got = java.nio.ByteBuffer.wrap(b, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(got).isEqualTo(fp);
        // the generated classes are built from the published .avsc files
        assertThat(org.apache.avro.SchemaNormalization.parsingFingerprint64(Codecs.published("InferenceRequest")))
                .isEqualTo(fp);
    }

    private static Schema v1() throws IOException {
        try (InputStream in = CodecTest.class.getResourceAsStream("/v1/InferenceRequest.avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    @Test
    void aReaderOfTheOldSchemaReadsARecordOfTheNewOne() throws IOException {
        Schema old = v1();
        assertThat(old.getField("attributes")).isNull();
        // binary written with the new schema, read with the old one as reader schema
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var enc = EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<InferenceRequest>(InferenceRequest.getClassSchema())
                .write(request(), enc);
        enc.flush();
        GenericRecord r = new GenericDatumReader<GenericRecord>(InferenceRequest.getClassSchema(), old)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertThat(r.get("request_id").toString()).isEqualTo("r-1");
        assertThat(r.get("slo_us")).isEqualTo(500_000L);
        assertThat(r.hasField("attributes")).isFalse();
    }

    @Test
    void theNewCodecReadsSingleObjectRecordsOfEveryEarlierSchema() throws IOException {
        Schema old = v1();
        GenericRecord g = new GenericData.Record(old);
        g.put("request_id", "old-1");
        g.put("model", "m0");
        g.put("client_send_us", 5L);
        g.put("slo_us", 1000L);
        g.put("deadline_us", null);
        g.put("token_ids", List.of(7));
        g.put("input", null);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(g).array();
        // a codec that knows only the current schema refuses it by its fingerprint
        var bare = new io.muxflow.schema.codec.AvroCodec<InferenceRequest>(InferenceRequest.getClassSchema());
        assertThatThrownBy(() -> bare.decodeBinary(bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("unknown schema fingerprint");
        InferenceRequest r = Codecs.REQUEST.decodeBinary(bytes);
        assertThat(r.getRequestId()).isEqualTo("old-1");
        assertThat(r.getAttributes()).isEmpty(); // the new fields' defaults
        assertThat(r.getMaxNewTokens()).isZero();
        // version 2 (attributes, no generation fields): what clients built on the previous release send
        Schema v2 = Codecs.history("InferenceRequest-v2");
        GenericRecord g2 = new GenericData.Record(v2);
        old.getFields().forEach(f -> g2.put(f.name(), g.get(f.name())));
        g2.put("request_id", "old-2");
        g2.put("attributes", java.util.Map.of("k", "v"));
        byte[] b2 = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(g2).array();
        InferenceRequest r2 = Codecs.REQUEST.decodeBinary(b2);
        assertThat(r2.getRequestId()).isEqualTo("old-2");
        assertThat(r2.getAttributes()).containsEntry("k", "v");
        assertThat(r2.getStopTokenIds()).isEmpty();
    }

    @Test
    void lenientJsonForPeopleTypingRequests() throws IOException {
        String plain = "{\"request_id\": \"k1\", \"model\": \"m0\", \"slo_ms\": 250, \"token_ids\": [5, 6]}";
        InferenceRequest r = RequestDecoder.decode(plain.getBytes(StandardCharsets.UTF_8)).request();
        assertThat(r.getSloUs()).isEqualTo(250_000L);
        assertThat(r.getTokenIds()).containsExactly(5, 6);
        assertThat(r.getClientSendUs()).as("absent: the job stamps it when it reads the request").isZero();
        String nan = "{\"request_id\": \"k2\", \"model\": \"m0\", \"slo_us\": 5, \"input\": {\"shape\": [1, 2], \"values\": [1.0, \"NaN\"]}}";
        assertThat(RequestDecoder.decode(nan.getBytes(StandardCharsets.UTF_8)).request().getInput().getValues().get(1)).isNaN();
        assertThatThrownBy(() -> RequestDecoder.decode("{\"model\": \"m\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("request_id");
        assertThatThrownBy(() -> RequestDecoder.decode(new byte[] {1, 2, 3})).hasMessageContaining("neither");
        assertThatThrownBy(() -> RequestDecoder.decode("{\"request_id\": ".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not valid JSON");
        byte[] garbled = Codecs.REQUEST.encode(request(), Encoding.AVRO);
        garbled[5] ^= 0x55; // break the fingerprint
        assertThatThrownBy(() -> RequestDecoder.decode(garbled)).isInstanceOf(IOException.class);
    }

    /** Binary Avro of a request with a token array claiming {@code count} items, of which {@code real} follow. */
    private static byte[] tokensClaiming(long count, int real) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // written field by field as schema version 2 lays them out, under version 2's fingerprint
        out.write(new byte[] {(byte) 0xC3, 0x01});
        out.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(
                org.apache.avro.SchemaNormalization.parsingFingerprint64(Codecs.history("InferenceRequest-v2"))).array());
        var e = EncoderFactory.get().directBinaryEncoder(out, null);
        e.writeString("r");
        e.writeString("m");
        e.writeLong(1);
        e.writeIndex(0);
        e.writeIndex(0);
        e.writeIndex(1);
        e.writeLong(count);
        for (int i = 0; i < real; i++) {
            e.writeInt(i);
        }
        e.writeLong(0);
        e.writeIndex(0);
        e.writeLong(0);
        e.flush();
        return out.toByteArray();
    }

    @Test
    void lengthPrefixesAreCheckedAgainstTheMessageBeforeDecoding() throws IOException {
        assertThat(Codecs.REQUEST.decodeBinary(tokensClaiming(3, 3)).getTokenIds()).containsExactly(0, 1, 2);
        byte[] huge = tokensClaiming(1_000_000_000L, 3);
        assertThat(huge.length).isLessThan(40);
        assertThatThrownBy(() -> Codecs.REQUEST.decodeBinary(huge)).isInstanceOf(IOException.class)
                .hasMessageContaining("InferenceRequest.token_ids claims 1000000000 items but only");
        assertThatThrownBy(() -> Codecs.REQUEST.decodeBinary(tokensClaiming(-7, 0))).isInstanceOf(IOException.class);
        // a string (the request id) claiming more bytes than follow
        byte[] b = Codecs.REQUEST.encode(request(), io.muxflow.schema.codec.Encoding.AVRO);
        b[10] = (byte) 0xFE; // zig-zag 0x7F..: a length far past the end
        b[11] = (byte) 0x7F;
        assertThatThrownBy(() -> Codecs.REQUEST.decodeBinary(b)).hasMessageContaining("InferenceRequest.request_id claims");
        // a message cut inside a number
        byte[] cut = java.util.Arrays.copyOf(tokensClaiming(3, 3), 12);
        assertThatThrownBy(() -> Codecs.REQUEST.decodeBinary(cut)).isInstanceOf(IOException.class);
        // the size limit comes first, so nothing is parsed
        assertThatThrownBy(() -> RequestDecoder.decode(tokensClaiming(3, 3), 20))
                .isInstanceOf(RequestDecoder.OversizeException.class).hasMessageContaining("over the limit of 20");
    }

    @Test
    void jsonIsParsedUnderStreamConstraints() {
        byte[] deep = "{\"a\": ".repeat(10_000).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> RequestDecoder.decode(deep)).isInstanceOf(IOException.class)
                .hasMessageContaining("nesting depth");
        byte[] longNumber = ("{\"request_id\": \"j\", \"model\": \"m\", \"slo_us\": 1" + "0".repeat(10_000) + "}")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> RequestDecoder.decode(longNumber)).isInstanceOf(IOException.class)
                .hasMessageContaining("Number value length");
        byte[] wideToken = "{\"request_id\": \"j\", \"model\": \"m\", \"slo_us\": 5, \"token_ids\": [4294967297]}"
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> RequestDecoder.decode(wideToken)).hasMessageContaining("32-bit integers");
    }

    @Test
    void jsonResponsesArePlainJsonAndAvrosWrappedFormStillDecodes() throws IOException {
        byte[] plain = Codecs.RESPONSE.encode(response(), io.muxflow.schema.codec.Encoding.JSON);
        var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(plain);
        assertThat(n.get("group").isInt()).as(n.toString()).isTrue();
        assertThat(n.get("group").asInt()).isEqualTo(1);
        assertThat(n.get("output").isArray()).isTrue();
        assertThat(n.get("output").get(1).asDouble()).isEqualTo(-1.0);
        assertThat(n.get("status").asText()).isEqualTo("OK");
        assertThat(n.get("chain").isNull()).isTrue();
        assertThat(n.get("timestamps").get("stages").get(0).get("end_us").asLong()).isEqualTo(6L);
        assertThat(Codecs.RESPONSE.decodeJson(plain)).isEqualTo(response());
        // Avro's own JSON encoding (unions wrapped) decodes to the same record
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var enc = EncoderFactory.get().jsonEncoder(InferenceResponse.getClassSchema(), out);
        new org.apache.avro.specific.SpecificDatumWriter<InferenceResponse>(InferenceResponse.getClassSchema())
                .write(response(), enc);
        enc.flush();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("{\"int\":1}");
        assertThat(Codecs.RESPONSE.decodeJson(out.toByteArray())).isEqualTo(response());
        // a non-finite float survives as a string
        InferenceResponse nan = InferenceResponse.newBuilder(response()).setOutput(List.of(Float.NaN)).build();
        assertThat(Codecs.RESPONSE.decodeJson(Codecs.RESPONSE.encode(nan, io.muxflow.schema.codec.Encoding.JSON))
                .getOutput().get(0)).isNaN();
    }
}
