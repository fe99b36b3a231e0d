package io.muxflow.schema.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one record type in either of muxflow's wire encodings. Single-object decoding
 * resolves records written with any schema registered through {@link #addWriterSchema} (older
 * versions), by their fingerprint. Binary input is checked by {@link AvroLengths} before it is
 * decoded, so no length prefix can make decoding allocate more than the message's size allows.
 */
public final class AvroCodec<T extends SpecificRecord> {
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    /** Writer schemas by their CRC-64-AVRO fingerprint: what {@link AvroLengths} walks. */
    private final Map<Long, Schema> writers = new ConcurrentHashMap<>();

    public AvroCodec(Schema schema) {
        this.schema = schema;
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
        writers.put(SchemaNormalization.parsingFingerprint64(schema), schema);
    }

    public Schema schema() {
        return schema;
    }

    /** Lets single-object decoding read records written with an older (or newer) schema. */
    public AvroCodec<T> addWriterSchema(Schema writer) {
        decoder.addSchema(writer);
        writers.put(SchemaNormalization.parsingFingerprint64(writer), writer);
        return this;
    }

    public byte[] encode(T record, Encoding encoding) {
        try {
            if (encoding == Encoding.AVRO) {
                ByteBuffer b = encoder.encode(record);
                byte[] out = new byte[b.remaining()];
                b.get(out);
                return out;
            }
            return PlainJson.encode(record);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + schema.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes single-object bytes; throws {@link IOException} with the reason when they do not decode. */
    public T decodeBinary(byte[] bytes) throws IOException {
        if (bytes.length < 10 || bytes[0] != Encoding.MAGIC_0 || bytes[1] != Encoding.MAGIC_1) {
            throw new IOException("not Avro single-object encoding (" + bytes.length
                    + " bytes; it starts with 0xC3 0x01 and an 8-byte fingerprint)");
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Schema writer = writers.get(fingerprint);
        if (writer == null) {
            throw new IOException(String.format("unknown schema fingerprint %016x: not a version of %s this job reads",
                    fingerprint, schema.getFullName()));
        }
        AvroLengths.check(writer, bytes, 10);
        try {
            return decoder.decode(bytes);
        } catch (RuntimeException e) {
            throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes the JSON form: plain JSON (unions as null or the value, what {@link #encode} writes) or
     * Avro's JSON encoding (unions wrapped as {@code {"type": value}}).
     */
    public T decodeJson(byte[] bytes) throws IOException {
        com.fasterxml.jackson.databind.JsonNode n;
        try {
            n = PlainJson.MAPPER.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        return PlainJson.decode(n, schema);
    }
}
