package io.muxflow.job.chain;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The binary form of {@link ChainHop} on the internal hop and event topics: a version byte, then the
 * fields in order. Internal: only this job writes and reads it, so it is compact rather than Avro; the
 * version lets a redeployed job skip records of another layout instead of misreading them.
 */
public final class ChainHopCodec {
    static final byte VERSION = 2;
    /** Arrays longer than this are a corrupt record, not a hop (a prompt is at most a model's context). */
    static final int MAX_ARRAY = 1 << 24;

    private ChainHopCodec() {
    }

    public static byte[] encode(ChainHop h) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64 + (h.data == null ? 0 : 4 * h.data.length));
            DataOutputStream o = new DataOutputStream(b);
            o.writeByte(VERSION);
            o.writeByte(h.kind);
            o.writeUTF(h.llm);
            o.writeUTF(h.requestId);
            o.writeLong(h.job);
            o.writeInt(h.attempt);
            o.writeInt(h.epoch);
            o.writeInt(h.chain);
            ints(o, h.servers);
            ints(o, h.blocks);
            o.writeInt(h.hop);
            o.writeInt(h.step);
            o.writeInt(h.position);
            ints(o, h.tokens);
            if (h.data == null) {
                o.writeInt(-1);
            } else {
                o.writeInt(h.data.length);
                for (float f : h.data) {
                    o.writeFloat(f);
                }
            }
            o.writeInt(h.rows);
            o.writeInt(h.maxNewTokens);
            o.writeFloat(h.temperature);
            o.writeInt(h.topK);
            o.writeLong(h.seed);
            ints(o, h.stopTokens);
            o.writeLong(h.deadlineUs);
            o.writeInt(h.token);
            o.writeUTF(h.status == null ? "" : h.status);
            o.writeUTF(h.detail == null ? "" : truncate(h.detail));
            o.writeLong(h.sentUs);
            o.writeLong(h.eventUs);
            o.flush();
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hop, or null when the bytes are not a hop of this version. */
    public static ChainHop decode(byte[] bytes) {
        if (bytes == null || bytes.length < 2 || bytes[0] != VERSION) {
            return null;
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            in.readByte();
            ChainHop h = new ChainHop();
            h.kind = in.readByte();
            h.llm = in.readUTF();
            h.requestId = in.readUTF();
            h.job = in.readLong();
            h.attempt = in.readInt();
            h.epoch = in.readInt();
            h.chain = in.readInt();
            h.servers = ints(in, bytes.length);
            h.blocks = ints(in, bytes.length);
            h.hop = in.readInt();
            h.step = in.readInt();
            h.position = in.readInt();
            h.tokens = ints(in, bytes.length);
            int n = in.readInt();
            if (n >= 0) {
                if (n > bytes.length / 4) {
                    return null;
                }
                h.data = new float[n];
                for (int i = 0; i < n; i++) {
                    h.data[i] = in.readFloat();
                }
            }
            h.rows = in.readInt();
            h.maxNewTokens = in.readInt();
            h.temperature = in.readFloat();
            h.topK = in.readInt();
            h.seed = in.readLong();
            h.stopTokens = ints(in, bytes.length);
            h.deadlineUs = in.readLong();
            h.token = in.readInt();
            h.status = in.readUTF();
            h.detail = in.readUTF();
            h.sentUs = in.readLong();
            h.eventUs = in.readLong();
            if (h.servers == null || h.blocks == null || h.stopTokens == null) {
                return null;
            }
            return h;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String truncate(String s) {
        return s.length() > 4000 ? s.substring(0, 4000) : s;
    }

    private static void ints(DataOutputStream o, int[] a) throws IOException {
        if (a == null) {
            o.writeInt(-1);
            return;
        }
        o.writeInt(a.length);
        for (int x : a) {
            o.writeInt(x);
        }
    }

    private static int[] ints(DataInputStream in, int total) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        if (n > total / 4 || n > MAX_ARRAY) {
            throw new IOException("array of " + n + " in a record of " + total + " bytes");
        }
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readInt();
        }
        return a;
    }
}
