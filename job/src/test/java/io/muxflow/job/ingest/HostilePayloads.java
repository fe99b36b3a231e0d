package io.muxflow.job.ingest;

import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.Tensor;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Request payloads an attacker (or a broken client) sends: bit flips and truncations of valid Avro and
 * JSON requests, valid headers followed by inflated length fields (an array, string or map claiming far
 * more than the message holds), hostile JSON (deep nesting, huge numbers, long strings) and random
 * bytes with and without a valid single-object header. Deterministic for a seed.
 */
public final class HostilePayloads {
    /** One payload and the kind of hostility it carries. */
    public record Payload(String kind, byte[] bytes) {
    }

    /** Lengths a hostile length prefix claims. */
    static final long[] INFLATED = {1_000_000_000L, Integer.MAX_VALUE, Integer.MAX_VALUE - 8L, 1L << 40, Long.MAX_VALUE,
        -1_000_000_000L, 65_536, 4_000_000};

    private final SplittableRandom rnd;
    private final List<byte[]> validAvro = new ArrayList<>();
    private final List<byte[]> validJson = new ArrayList<>();

    public HostilePayloads(long seed) {
        rnd = new SplittableRandom(seed);
        for (InferenceRequest r : validRequests()) {
            validAvro.add(Codecs.REQUEST.encode(r, Encoding.AVRO));
            validJson.add(Codecs.REQUEST.encode(r, Encoding.JSON));
        }
    }

    static List<InferenceRequest> validRequests() {
        List<InferenceRequest> out = new ArrayList<>();
        long now = System.currentTimeMillis() * 1000;
        out.add(InferenceRequest.newBuilder().setRequestId("fz-tokens").setModel("a").setClientSendUs(now)
                .setSloUs(5_000_000L).setTokenIds(List.of(101, 7, 8, 9, 102)).build());
        out.add(InferenceRequest.newBuilder().setRequestId("fz-tensor").setModel("a").setClientSendUs(now)
                .setDeadlineUs(now + 5_000_000L).setInput(new Tensor(List.of(2, 4), Collections.nCopies(8, 0.5f)))
                .setAttributes(Map.of("tenant", "t1", "trace", "x")).build());
        out.add(InferenceRequest.newBuilder().setRequestId("fz-attrs").setModel("a").setClientSendUs(now)
                .setSloUs(1_000_000L).setTokenIds(List.of(1)).setAttributes(Map.of("k", "v")).build());
        return out;
    }

    /** {@code n} payloads, cycling through every kind. */
    public List<Payload> generate(int n) {
        List<Payload> out = new ArrayList<>(n);
        for (int i = 0; out.size() < n; i++) {
            out.add(switch (i % 8) {
                case 0 -> new Payload("avro-bitflip", flip(pick(validAvro)));
                case 1 -> new Payload("json-bitflip", flip(pick(validJson)));
                case 2 -> new Payload("avro-truncated", truncate(pick(validAvro)));
                case 3 -> new Payload("json-truncated", truncate(pick(validJson)));
                case 4, 5 -> new Payload("avro-inflated", inflatedAvro());
                case 6 -> new Payload("json-hostile", hostileJson());
                default -> new Payload("random", random());
            });
        }
        return out;
    }

    private byte[] pick(List<byte[]> l) {
        return l.get(rnd.nextInt(l.size())).clone();
    }

    private byte[] flip(byte[] b) {
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            int at = rnd.nextInt(b.length);
            b[at] ^= (byte) (1 << rnd.nextInt(8));
        }
        return b;
    }

    private byte[] truncate(byte[] b) {
        return java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
    }

    private byte[] random() {
        byte[] b = new byte[rnd.nextInt(200)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        int prefix = rnd.nextInt(3);
        if (prefix == 1 && b.length >= 10) {
            System.arraycopy(header(), 0, b, 0, 10); // a valid header, garbage after it
        } else if (prefix == 2 && b.length > 0) {
            b[0] = '{';
        }
        return b;
    }

    /** The single-object header of request schema version 2, whose field layout {@link #inflatedAvro} writes. */
    static byte[] header() {
        ByteBuffer h = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        h.put((byte) 0xC3).put((byte) 0x01)
                .putLong(SchemaNormalization.parsingFingerprint64(Codecs.history("InferenceRequest-v2")));
        return h.array();
    }

    /**
     * A request written field by field in binary Avro with one length prefix (of the request id, the
     * token array, the tensor's shape or values, or the attributes map) replaced by a hostile one,
     * followed by a few real items: what a truncated or malicious writer produces.
     */
    byte[] inflatedAvro() {
        byte[] b = inflatedAvro(INFLATED[rnd.nextInt(INFLATED.length)], rnd.nextInt(5));
        // sometimes cut it short too, as the 39-byte report did
        return rnd.nextInt(3) == 0 ? java.util.Arrays.copyOf(b, Math.max(11, b.length - 1 - rnd.nextInt(8))) : b;
    }

    /** Issue 21's report: a valid header and fields, then a token array claiming {@code count} items. */
    public byte[] inflatedAvroWithTokenCount(long count) {
        return inflatedAvro(count, 1);
    }

    private static byte[] inflatedAvro(long claim, int target) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(header());
            BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
            if (target == 0) {
                e.writeLong(claim); // request_id's length
                e.writeFixed("abc".getBytes(StandardCharsets.UTF_8));
            } else {
                e.writeString("fz");
            }
            e.writeString("a");
            e.writeLong(System.currentTimeMillis() * 1000);
            e.writeIndex(1);
            e.writeLong(5_000_000L); // slo_us
            e.writeIndex(0); // no deadline
            if (target == 1) {
                e.writeIndex(1);
                e.writeLong(claim); // token_ids' count
                for (int i = 0; i < 3; i++) {
                    e.writeInt(7);
                }
            } else {
                e.writeIndex(0);
            }
            if (target == 2 || target == 3) {
                e.writeIndex(1);
                e.writeLong(target == 2 ? claim : 2); // shape
                e.writeInt(1);
                e.writeInt(4);
                if (target == 2) {
                    e.writeLong(0);
                }
                e.writeLong(target == 3 ? claim : 4); // values
                for (int i = 0; i < 4; i++) {
                    e.writeFloat(0.5f);
                }
            } else {
                e.writeIndex(0);
            }
            e.writeLong(target == 4 ? claim : 0); // attributes
            if (target == 4) {
                e.writeString("k");
                e.writeString("v");
            }
            e.flush();
            return out.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private byte[] hostileJson() {
        String s = switch (rnd.nextInt(7)) {
            case 0 -> "[".repeat(100_000); // nesting: stack, not heap
            case 1 -> "{\"request_id\": \"j\", \"model\": \"a\", \"slo_ms\": 1" + "0".repeat(50_000) + "}";
            case 2 -> "{\"request_id\": \"j\", \"model\": \"a\", \"slo_ms\": 1e999999999, \"token_ids\": [1]}";
            case 3 -> "{\"request_id\": \"" + "x".repeat(200_000) + "\", \"model\": \"a\"}";
            case 4 -> "{\"request_id\": \"j\", \"model\": \"a\", \"slo_ms\": 100, \"token_ids\": [99999999999999]}";
            case 5 -> "{\"request_id\": \"j\", \"model\": \"a\", \"slo_ms\": 100, \"input\": {\"shape\": [2147483647, "
                    + "2147483647], \"values\": [1]}}";
            default -> "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000);
        };
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
