package io.muxflow.job.egress.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/** Checkpoint formats (version 1) of {@link TxnCommittable} and {@link TxnWriterState}. */
public final class TxnSerializers {
    private TxnSerializers() {
    }

    static void write(TxnCommittable c, DataOutputView out) throws IOException {
        out.writeUTF(c.transactionalId());
        out.writeLong(c.producerId());
        out.writeShort(c.epoch());
    }

    static TxnCommittable read(DataInputView in) throws IOException {
        return new TxnCommittable(in.readUTF(), in.readLong(), in.readShort());
    }

    private static void checkVersion(int version, String what) throws IOException {
        if (version != 1) {
            throw new IOException("unknown " + what + " format version " + version + " (this build reads 1)");
        }
    }

    /** The committable: transactional id, producer id, epoch. */
    public static final class Committables implements SimpleVersionedSerializer<TxnCommittable> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(TxnCommittable c) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64);
            write(c, out);
            return out.getCopyOfBuffer();
        }

        @Override
        public TxnCommittable deserialize(int version, byte[] bytes) throws IOException {
            checkVersion(version, "transaction committable");
            return read(new DataInputDeserializer(bytes));
        }
    }

    /** The writer state: generation, subtask, pool size, then the pending committables. */
    public static final class WriterStates implements SimpleVersionedSerializer<TxnWriterState> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(TxnWriterState s) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(128);
            out.writeLong(s.generation());
            out.writeInt(s.subtask());
            out.writeInt(s.poolSize());
            out.writeInt(s.pending().size());
            for (TxnCommittable c : s.pending()) {
                write(c, out);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public TxnWriterState deserialize(int version, byte[] bytes) throws IOException {
            checkVersion(version, "transaction writer state");
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            long generation = in.readLong();
            int subtask = in.readInt();
            int poolSize = in.readInt();
            int n = in.readInt();
            if (n < 0 || n > 1_000_000) {
                throw new IOException("transaction writer state lists " + n + " pending transactions");
            }
            List<TxnCommittable> pending = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                pending.add(read(in));
            }
            return new TxnWriterState(generation, subtask, poolSize, pending);
        }
    }
}
