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

    /** Format version 1 of one value; a later version adds its own reader here. */
    abstract static class Version1<T> implements SimpleVersionedSerializer<T> {
        private final String what;

        Version1(String what) {
            this.what = what;
        }

        abstract void write(T value, DataOutputView out) throws IOException;

        abstract T read(DataInputView in) throws IOException;

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(T value) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64);
            write(value, out);
            return out.getCopyOfBuffer();
        }

        @Override
        public T deserialize(int version, byte[] bytes) throws IOException {
            if (version != 1) {
                throw new IOException("unknown " + what + " format version " + version + " (this build reads 1)");
            }
            return read(new DataInputDeserializer(bytes));
        }
    }

    /** The committable: transactional id, producer id, epoch. */
    public static final class Committables extends Version1<TxnCommittable> {
        public Committables() {
            super("transaction committable");
        }

        @Override
        void write(TxnCommittable c, DataOutputView out) throws IOException {
            TxnSerializers.write(c, out);
        }

        @Override
        TxnCommittable read(DataInputView in) throws IOException {
            return TxnSerializers.read(in);
        }
    }

    /** The writer state: generation, subtask, pool size, then the pending committables. */
    public static final class WriterStates extends Version1<TxnWriterState> {
        public WriterStates() {
            super("transaction writer state");
        }

        @Override
        void write(TxnWriterState s, DataOutputView out) throws IOException {
            out.writeLong(s.generation());
            out.writeInt(s.subtask());
            out.writeInt(s.poolSize());
            out.writeInt(s.pending().size());
            for (TxnCommittable c : s.pending()) {
                TxnSerializers.write(c, out);
            }
        }

        @Override
        TxnWriterState read(DataInputView in) throws IOException {
            long generation = in.readLong();
            int subtask = in.readInt();
            int poolSize = in.readInt();
            int n = in.readInt();
            if (n < 0 || n > 1_000_000) {
                throw new IOException("transaction writer state lists " + n + " pending transactions");
            }
            List<TxnCommittable> pending = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                pending.add(TxnSerializers.read(in));
            }
            return new TxnWriterState(generation, subtask, poolSize, pending);
        }
    }
}
