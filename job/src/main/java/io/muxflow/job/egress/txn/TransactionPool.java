package io.muxflow.job.egress.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.kafka.sink.internal.FlinkKafkaInternalProducer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink subtask's transactional Kafka producers, each under a fixed transactional id, kept fenced
 * and ready ahead of time so that a checkpoint never waits on the broker to start the next
 * transaction, and committed off the task thread.
 *
 * <p>Why: Flink's Kafka sink (connector 5.0) calls {@code initTransactions()} on the task thread for
 * every checkpoint, a blocking InitProducerId round trip (8.5 ms on average at 1000 req/s on the
 * project's 2-core VM, docs/BENCHMARKS.md), followed by a blocking commit once the checkpoint
 * completes. Every request that arrives meanwhile waits behind it. Here a producer goes
 * READY -> ACTIVE (records are written) -> PENDING (prepared at a barrier; the next write takes
 * another READY producer, a local step) -> COMMITTING (after the checkpoint completed: commit, then
 * fence the id again on a background thread) -> READY.
 *
 * <p>Fencing again before reuse gives every transaction its own producer epoch, which recovery relies
 * on: committing a restored transaction by producer id and epoch can only ever end that transaction,
 * never a later one on the same id. Transactional ids are {@code prefix-generation-subtask-k}; the
 * generation is the checkpoint the job restored from (0 on a fresh start), so a restored run never
 * reuses an id that a restored, still pending transaction holds, whatever the parallelism. The
 * restored ids are fenced after their pending transactions were committed.
 */
final class TransactionPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionPool.class);

    /** Ids past a restored pool's size that are fenced too: the pool may have grown after the checkpoint. */
    static final int RECOVERY_MARGIN = 2;

    /** A pool grows only while commits lag (checkpoints not completing); past this something is wrong. */
    static final int MAX_SIZE = 64;

    /**
     * (job, transactional id) -> owning pool, so that the committer finds the producer that holds a
     * transaction; keyed by job too because jobs in one JVM (a MiniCluster) may use the same ids.
     */
    private static final ConcurrentMap<String, TransactionPool> OWNERS = new ConcurrentHashMap<>();

    private static String ownerKey(String owner, String transactionalId) {
        return owner + "/" + transactionalId;
    }

    enum Phase { INITIALIZING, READY, ACTIVE, PENDING, COMMITTING, BROKEN }

    private static final class Slot {
        final String id;
        final FlinkKafkaInternalProducer<byte[], byte[]> producer;
        Phase phase = Phase.INITIALIZING;
        /** The transaction this slot last prepared. */
        TxnCommittable prepared;

        Slot(String id, FlinkKafkaInternalProducer<byte[], byte[]> producer) {
            this.id = id;
            this.producer = producer;
        }
    }

    private final String owner;
    private final Properties props;
    private final String prefix;
    private final long generation;
    private final int subtask;
    private final List<Slot> slots = new ArrayList<>();
    private final ExecutorService background;
    private final Callback onSent;
    private volatile Throwable failure;
    /** Task thread only. */
    private Slot active;
    private boolean activeHasRecords;

    /**
     * Commits the restored pending transactions, fences the restored ids, and starts {@code size}
     * producers: the first on the calling thread, the others in the background.
     */
    TransactionPool(String owner, Properties props, String prefix, long generation, int subtask, int size,
            Collection<TxnWriterState> restored) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("transaction pool size must be 1.." + MAX_SIZE + ", got " + size);
        }
        this.owner = owner;
        this.props = props;
        this.prefix = prefix;
        this.generation = generation;
        this.subtask = subtask;
        recover(restored);
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "muxflow-transactions-" + prefix + "-" + subtask);
            t.setDaemon(true);
            return t;
        });
        this.onSent = (meta, e) -> {
            if (e != null && failure == null) {
                failure = e;
            }
        };
        Slot first = addSlot();
        initialize(first);
        for (int i = 1; i < size; i++) {
            Slot s = addSlot();
            background.execute(() -> initialize(s));
        }
    }

    static String transactionalId(String prefix, long generation, int subtask, int k) {
        return prefix + "-" + generation + "-" + subtask + "-" + k;
    }

    private void recover(Collection<TxnWriterState> restored) {
        int committed = 0;
        for (TxnWriterState s : restored) {
            for (TxnCommittable c : s.pending()) {
                committed += TransactionRecovery.commit(props, c) ? 1 : 0;
            }
        }
        List<String> ids = new ArrayList<>();
        for (TxnWriterState s : restored) {
            if (s.generation() == generation) {
                throw new IllegalStateException("restored transaction state of generation " + generation
                        + " into the same generation: transactional ids would collide");
            }
            for (int k = 0; k < s.poolSize() + RECOVERY_MARGIN; k++) {
                ids.add(transactionalId(prefix, s.generation(), s.subtask(), k));
            }
        }
        // in parallel: each is a producer start and a broker round trip, and a restore is a service gap
        fenceAll(ids);
        if (!restored.isEmpty()) {
            LOG.info("Transactions {} subtask {}: restored {} states, committed {} pending transactions, fenced {} ids",
                    prefix, subtask, restored.size(), committed, ids.size());
        }
    }

    private void fenceAll(List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(ids.size(), 8));
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (String id : ids) {
                done.add(pool.submit(() -> TransactionRecovery.fence(props, id)));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fencing restored transactional ids of " + prefix, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot fence restored transactional ids of " + prefix + ": "
                    + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private synchronized Slot addSlot() {
        if (slots.size() >= MAX_SIZE) {
            throw new IllegalStateException("transaction pool " + prefix + " subtask " + subtask + " holds "
                    + MAX_SIZE + " transactions waiting to be committed: checkpoints are not completing, or the "
                    + "sink's committer runs outside its writer's task (chain them; see PooledTransactionalSink)");
        }
        String id = transactionalId(prefix, generation, subtask, slots.size());
        Slot s = new Slot(id, new FlinkKafkaInternalProducer<>(props, id));
        slots.add(s);
        OWNERS.put(ownerKey(owner, id), this);
        return s;
    }

    /** Fences the slot's id (a new epoch for its next transaction) and marks it READY. */
    private void initialize(Slot s) {
        try {
            s.producer.setTransactionId(s.id);
            s.producer.initTransactions();
            synchronized (this) {
                s.phase = Phase.READY;
                notifyAll();
            }
        } catch (Throwable t) {
            broken(s, t);
        }
    }

    private synchronized void broken(Slot s, Throwable t) {
        s.phase = Phase.BROKEN;
        if (failure == null) {
            failure = t;
        }
        notifyAll();
    }

    /** Rethrows, on the task thread, what went wrong in a send or on the background thread. */
    void checkFailure() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw new IOException("Kafka transactions " + prefix + " subtask " + subtask + " failed: " + t, t);
        }
    }

    /** Sends one record in the current transaction, starting one on a ready producer if none is open. */
    void send(ProducerRecord<byte[], byte[]> record) throws IOException, InterruptedException {
        checkFailure();
        if (active == null) {
            active = takeReady();
            active.producer.beginTransaction();
            activeHasRecords = false;
        }
        active.producer.send(record, onSent);
        activeHasRecords = true;
    }

    private synchronized Slot takeReady() throws IOException, InterruptedException {
        while (true) {
            checkFailure();
            boolean coming = false;
            for (Slot s : slots) {
                if (s.phase == Phase.READY) {
                    s.phase = Phase.ACTIVE;
                    return s;
                }
                coming |= s.phase == Phase.INITIALIZING || s.phase == Phase.COMMITTING;
            }
            if (!coming) {
                // every producer holds a transaction still waiting for its checkpoint: grow
                Slot s = addSlot();
                LOG.info("Transactions {} subtask {}: pool grown to {} (commits lag behind checkpoints)", prefix,
                        subtask, slots.size());
                initialize(s);
                continue;
            }
            wait(100);
        }
    }

    /** The partitions of {@code topic}, for serializers that choose one. */
    int[] partitionsFor(String topic) {
        Slot any;
        synchronized (this) {
            any = slots.get(0);
        }
        return any.producer.partitionsFor(topic).stream().mapToInt(p -> p.partition()).sorted().toArray();
    }

    /** Waits until every record of the current transaction is acknowledged. */
    void flush() throws IOException {
        if (active != null && activeHasRecords) {
            active.producer.flush();
        }
        checkFailure();
    }

    /**
     * Ends the current transaction's writing at a checkpoint barrier: flushes it and returns it for the
     * committer, or nothing if it holds no records (then it simply stays open, which costs nothing:
     * the broker learns of a transaction only with its first record).
     */
    TxnCommittable prepare() throws IOException {
        if (active == null || !activeHasRecords) {
            return null;
        }
        flush();
        Slot s = active;
        TxnCommittable c = new TxnCommittable(s.id, s.producer.getProducerId(), s.producer.getEpoch());
        synchronized (this) {
            s.prepared = c;
            s.phase = Phase.PENDING;
        }
        active = null;
        return c;
    }

    /** The ids this subtask may have used and the transactions not yet known to be committed. */
    synchronized TxnWriterState state() {
        List<TxnCommittable> pending = new ArrayList<>();
        for (Slot s : slots) {
            // BROKEN too: a failed commit leaves its transaction for the restore to commit
            if (s.phase == Phase.PENDING || s.phase == Phase.COMMITTING
                    || (s.phase == Phase.BROKEN && s.prepared != null)) {
                pending.add(s.prepared);
            }
        }
        return new TxnWriterState(generation, subtask, slots.size(), pending);
    }

    /**
     * Commits {@code c} on the background thread if a pool of job {@code owner} prepared it.
     *
     * @return false if {@code c} is not this pool's to commit (a restored transaction: the caller
     *     commits it by {@link TransactionRecovery})
     */
    static boolean commitIfOwned(String owner, TxnCommittable c) {
        TransactionPool pool = OWNERS.get(ownerKey(owner, c.transactionalId()));
        return pool != null && pool.commit(c);
    }

    private synchronized boolean commit(TxnCommittable c) {
        for (Slot s : slots) {
            if (!s.id.equals(c.transactionalId()) || !c.equals(s.prepared)) {
                continue;
            }
            if (s.phase == Phase.PENDING) {
                s.phase = Phase.COMMITTING;
                background.execute(() -> {
                    try {
                        s.producer.commitTransaction();
                    } catch (Throwable t) {
                        broken(s, t);
                        return;
                    }
                    synchronized (this) {
                        s.phase = Phase.INITIALIZING; // committed: no longer pending in the writer state
                    }
                    initialize(s);
                });
            }
            // COMMITTING, or already committed and reused under a new epoch: nothing more to do
            return s.phase != Phase.BROKEN;
        }
        return false;
    }

    @Override
    public void close() {
        synchronized (this) {
            for (Slot s : slots) {
                OWNERS.remove(ownerKey(owner, s.id), this);
            }
        }
        background.shutdown();
        try {
            if (!background.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("Transactions {} subtask {}: background commits still running at close", prefix, subtask);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (active != null && activeHasRecords) {
            // not part of any checkpoint: abort now rather than leave it open until it times out
            try {
                active.producer.abortTransaction();
            } catch (RuntimeException e) {
                LOG.info("Transactions {} subtask {}: abort at close failed: {}", prefix, subtask, e.toString());
            }
        }
        synchronized (this) {
            for (Slot s : slots) {
                s.producer.close(java.time.Duration.ZERO);
            }
        }
    }
}
