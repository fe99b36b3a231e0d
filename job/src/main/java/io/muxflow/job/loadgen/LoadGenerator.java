package io.muxflow.job.loadgen;

import io.muxflow.job.KafkaClients;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.workload.GammaProcess;
import io.muxflow.planner.workload.Workload;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends requests to the requests topic in real time: either a fixed workload (its arrivals replayed
 * from now) or open-ended Gamma arrivals per model whose rate and cv can change while it runs.
 */
public final class LoadGenerator implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final RequestFactory factory;
    private final Encoding encoding;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private volatile DoubleSeries lagMs = new DoubleSeries();
    private Thread thread;

    public LoadGenerator(String bootstrap, String topic, RequestFactory factory, Encoding encoding, Properties extra) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put("linger.ms", "0"); // a request is sent when it arrives: its latency is what is measured
        this.producer = KafkaClients.producer(bootstrap, p);
        // fetch the topic's metadata now, not on the first send (which would then wait out its SLO)
        this.producer.partitionsFor(topic);
        this.topic = topic;
        this.factory = factory;
        this.encoding = encoding;
    }

    public long sent() {
        return sent.get();
    }

    /**
     * How late each send of the last {@link #replay} was against its scheduled time, in ms (the
     * latencies already include it: requests carry their scheduled time).
     */
    public DoubleSeries lastLagMs() {
        return lagMs;
    }

    /**
     * Sends one request stamped with the time it was due, not the time this thread got to it, so that
     * a stall of this process (which also hosts the broker and the job in local runs and benchmarks)
     * counts against the latency as it would for a client elsewhere, instead of delaying the sends
     * and hiding itself ("coordinated omission"). Returns how late the send was, in ns.
     */
    private long send(RequestFactory f, String model, long sloUs, long dueNanos) {
        return send(f, model, sloUs, 0, dueNanos);
    }

    private long send(RequestFactory f, String model, long sloUs, int maxNewTokens, long dueNanos) {
        long lateNanos = Math.max(0, System.nanoTime() - dueNanos);
        InferenceRequest r = f.next(model, Clocks.nowUs() - lateNanos / 1000, sloUs, maxNewTokens);
        producer.send(new ProducerRecord<>(topic, model.getBytes(), Codecs.REQUEST.encode(r, encoding)));
        sent.incrementAndGet();
        return lateNanos;
    }

    private static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    /** Replays a workload's arrivals from now (offset by its first arrival); returns when done or stopped. */
    public void replay(Workload w) {
        replay(w, factory);
    }

    /** {@link #replay(Workload)} with the requests made by {@code f} (another run's ids) on this producer. */
    public void replay(Workload w, RequestFactory f) {
        DoubleSeries lag = new DoubleSeries(w.size());
        lagMs = lag;
        long start = System.nanoTime();
        double first = w.isEmpty() ? 0 : w.arrival(0);
        for (int i = 0; i < w.size() && running.get(); i++) {
            long due = start + (long) ((w.arrival(i) - first) * 1e9);
            sleepUntil(due);
            double slo = w.slo(i);
            lag.add(send(f, w.model(i), Double.isNaN(slo) ? 10_000_000L : (long) (slo * 1e6), due) / 1e6);
        }
        producer.flush();
    }

    /**
     * The current arrival process of one model; replaced at will (a shift). {@code maxNewTokens} > 0
     * makes generation requests (an LLM served on server chains).
     */
    public record Stream(String model, double rate, double cv, long sloUs, int maxNewTokens) {
        public Stream(String model, double rate, double cv, long sloUs) {
            this(model, rate, cv, sloUs, 0);
        }
    }

    /** Open-ended Gamma arrivals for each model from {@code streams} (read again after every send). */
    public void startOpenEnded(Supplier<List<Stream>> streams, long seed) {
        thread = new Thread(() -> {
            SplittableRandom rng = new SplittableRandom(seed);
            List<Stream> current = streams.get();
            long[] next = new long[current.size()];
            long now = System.nanoTime();
            for (int i = 0; i < next.length; i++) {
                next[i] = now + gapNanos(current.get(i), rng);
            }
            while (running.get()) {
                List<Stream> s = streams.get();
                if (s.size() != next.length) {
                    next = java.util.Arrays.copyOf(next, s.size());
                }
                int k = 0;
                for (int i = 1; i < next.length; i++) {
                    if (next[i] < next[k]) {
                        k = i;
                    }
                }
                sleepUntil(next[k]);
                if (!running.get()) {
                    break;
                }
                Stream st = s.get(k);
                if (st.rate() > 0) {
                    send(factory, st.model(), st.sloUs(), st.maxNewTokens(), next[k]);
                }
                next[k] += gapNanos(st, rng);
            }
            producer.flush();
        }, "muxflow-loadgen");
        thread.setDaemon(true);
        thread.start();
    }

    private static long gapNanos(Stream s, SplittableRandom rng) {
        if (s.rate() <= 0) {
            return 100_000_000L;
        }
        return Math.max(1, (long) (new GammaProcess(s.rate(), s.cv()).nextGap(rng) * 1e9));
    }

    /** Stops the open-ended arrivals and flushes what was sent; {@link #sent()} is final afterwards. */
    public void stopSending() throws InterruptedException {
        running.set(false);
        if (thread != null) {
            thread.join(5000);
        }
        producer.flush();
    }

    @Override
    public void close() throws InterruptedException {
        stopSending();
        producer.close();
    }
}
