package io.muxflow.schema.codec;

/** How a record is encoded on a topic. */
public enum Encoding {
    /** Avro single-object encoding: 0xC3 0x01, the schema's CRC-64-AVRO fingerprint (8 bytes, little-endian), binary Avro. */
    AVRO,
    /** Plain JSON (unions as null or the value; see {@link PlainJson}), for console clients. */
    JSON;

    /** Single-object encoding's two marker bytes. */
    public static final byte MAGIC_0 = (byte) 0xC3;
    public static final byte MAGIC_1 = (byte) 0x01;

    /** The encoding these bytes look like, or null when neither. */
    public static Encoding sniff(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        if (bytes.length >= 10 && bytes[0] == MAGIC_0 && bytes[1] == MAGIC_1) {
            return AVRO;
        }
        for (byte b : bytes) {
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                continue;
            }
            return b == '{' ? JSON : null;
        }
        return null;
    }
}
