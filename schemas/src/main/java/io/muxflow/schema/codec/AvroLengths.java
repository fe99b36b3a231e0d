package io.muxflow.schema.codec;

import java.io.IOException;
import org.apache.avro.Schema;

/**
 * Checks binary Avro against its writer schema before anything is decoded, so that no length prefix
 * can make the decoder allocate more than the message holds. Avro's own reader allocates an array of
 * the claimed item count (or a string of the claimed length) before reading the items: a 39-byte
 * message claiming 10^9 ints asks for gigabytes. Here every string, bytes, array and map length is
 * compared with the bytes left, walking the same structure the decoder will, without allocating.
 *
 * <p>This replaces Avro's JVM-wide {@code org.apache.avro.limits.*} properties: the bound is the
 * message itself, which the caller has already checked against the configured maximum request size,
 * and it holds per message in a TaskManager shared by jobs with different limits.
 */
public final class AvroLengths {
    /** Items of a type that takes no bytes (null, an empty record) carry no length to check: cap their count. */
    static final long MAX_EMPTY_ITEMS = 1 << 16;

    private final byte[] buf;
    private int pos;

    private AvroLengths(byte[] buf, int offset) {
        this.buf = buf;
        this.pos = offset;
    }

    /**
     * Walks one datum of {@code writer} starting at {@code offset}; throws {@link IOException} naming
     * the first length, index or varint that does not fit in the bytes that follow it.
     */
    public static void check(Schema writer, byte[] bytes, int offset) throws IOException {
        new AvroLengths(bytes, offset).walk(writer, writer.getName());
    }

    private void walk(Schema s, String path) throws IOException {
        switch (s.getType()) {
            case NULL -> {
            }
            case BOOLEAN -> skip(1, path);
            case INT, LONG -> varint(path);
            case FLOAT -> skip(4, path);
            case DOUBLE -> skip(8, path);
            case STRING, BYTES -> skip(length(path, "bytes"), path);
            case FIXED -> skip(s.getFixedSize(), path);
            case ENUM -> index(s.getEnumSymbols().size(), path);
            case UNION -> walk(s.getTypes().get(index(s.getTypes().size(), path)), path);
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    walk(f.schema(), path + "." + f.name());
                }
            }
            case ARRAY -> items(s.getElementType(), null, path);
            case MAP -> items(s.getValueType(), Schema.create(Schema.Type.STRING), path);
            default -> throw new IOException(path + ": unsupported Avro type " + s.getType());
        }
    }

    /** Array or map blocks: each block's count must fit in the bytes left (every item takes at least one byte). */
    private void items(Schema item, Schema key, String path) throws IOException {
        boolean empty = key == null && minBytes(item) == 0;
        long total = 0;
        while (true) {
            long count = varint(path);
            if (count == 0) {
                return;
            }
            if (count < 0) {
                if (count == Long.MIN_VALUE) {
                    throw new IOException(path + ": malformed block count");
                }
                count = -count;
                length(path, "block bytes"); // the block's byte size: checked, then walked item by item
            }
            total += count;
            long limit = empty ? MAX_EMPTY_ITEMS : left();
            if (count > limit || total > (empty ? MAX_EMPTY_ITEMS : Integer.MAX_VALUE)) {
                throw new IOException(path + " claims " + count + " items but only " + left()
                        + " bytes remain in the message");
            }
            for (long i = 0; i < count; i++) {
                if (key != null) {
                    walk(key, path + "[key]");
                }
                walk(item, path + "[" + i + "]");
            }
        }
    }

    /** The fewest bytes one datum of {@code s} can take; 0 only for null and for records of such fields. */
    static int minBytes(Schema s) {
        return switch (s.getType()) {
            case NULL -> 0;
            case FIXED -> s.getFixedSize();
            case FLOAT -> 4;
            case DOUBLE -> 8;
            case RECORD -> s.getFields().stream().mapToInt(f -> minBytes(f.schema())).sum();
            default -> 1; // booleans, varints, lengths, counts, union and enum indexes
        };
    }

    private long length(String path, String what) throws IOException {
        long n = varint(path);
        if (n < 0 || n > left()) {
            throw new IOException(path + " claims " + n + " " + what + " but only " + left()
                    + " bytes remain in the message");
        }
        return n;
    }

    private int index(int size, String path) throws IOException {
        long i = varint(path);
        if (i < 0 || i >= size) {
            throw new IOException(path + ": index " + i + " is outside [0, " + size + ")");
        }
        return (int) i;
    }

    private void skip(long n, String path) throws IOException {
        if (n > left()) {
            throw new IOException(path + ": needs " + n + " bytes, only " + left() + " remain in the message");
        }
        pos += (int) n;
    }

    /** Avro's zig-zag varint (at most 10 bytes for a long). */
    private long varint(String path) throws IOException {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= buf.length) {
                throw new IOException(path + ": the message ends inside a number");
            }
            int b = buf[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new IOException(path + ": malformed varint (more than 10 bytes)");
    }

    private long left() {
        return buf.length - pos;
    }
}
