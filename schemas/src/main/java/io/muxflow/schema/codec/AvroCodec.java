package io.muxflow.schema.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one record type in either of muxflow's wire encodings. Single-object decoding
 * resolves records written with any schema registered through {@link #addWriterSchema} (older
 * versions), by their fingerprint.
 */
public final class AvroCodec<T extends SpecificRecord> {
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public AvroCodec(Schema schema) {
        this.schema = schema;
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
    }

    public Schema schema() {
        return schema;
    }

    /** Lets single-object decoding read records written with an older (or newer) schema. */
    public AvroCodec<T> addWriterSchema(Schema writer) {
        decoder.addSchema(writer);
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
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder enc = EncoderFactory.get().jsonEncoder(schema, out);
            new SpecificDatumWriter<T>(schema).write(record, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + schema.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes single-object bytes; throws {@link IOException} with the reason when they do not decode. */
    public T decodeBinary(byte[] bytes) throws IOException {
        try {
            return decoder.decode(bytes);
        } catch (RuntimeException e) {
            throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes Avro's strict JSON encoding. */
    public T decodeAvroJson(byte[] bytes) throws IOException {
        try {
            return new SpecificDatumReader<T>(schema).read(null,
                    DecoderFactory.get().jsonDecoder(schema, new String(bytes, StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
