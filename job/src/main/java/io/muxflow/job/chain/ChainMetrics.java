package io.muxflow.job.chain;

import io.muxflow.job.model.Reply;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/**
 * The chain dispatcher's metrics of one LLM, under {@code llm=<name>}: jobs waiting for a slot and in
 * service, jobs answered by status, time to first token and time per output token (ms, of jobs that
 * made tokens), generated tokens per second. The servers add their own (jobs in service against each
 * chain's capacity, cache use, hop latency).
 */
final class ChainMetrics {
    private final Counter ok;
    private final Counter rejected;
    private final Counter timedOut;
    private final Counter failed;
    private final Histogram ttftMs;
    private final Histogram tpotMs;
    private final Meter tokens;

    ChainMetrics(MetricGroup g, IntSupplier waiting, IntSupplier running) {
        g.gauge("queueLength", (Gauge<Integer>) waiting::getAsInt);
        g.gauge("jobsInService", (Gauge<Integer>) running::getAsInt);
        ok = g.counter("jobsOk");
        rejected = g.counter("jobsRejected");
        timedOut = g.counter("jobsTimedOut");
        failed = g.counter("jobsFailed");
        ttftMs = g.histogram("timeToFirstTokenMs", new io.muxflow.job.metrics.NearestRankHistogram(1000));
        tpotMs = g.histogram("timePerOutputTokenMs", new io.muxflow.job.metrics.NearestRankHistogram(1000));
        tokens = g.meter("tokensPerSecond", new MeterView(g.counter("tokens"), 10));
    }

    void answered(Reply r) {
        switch (r.status) {
            case "OK" -> ok.inc();
            case "REJECTED" -> rejected.inc();
            case "TIMED_OUT" -> timedOut.inc();
            default -> failed.inc();
        }
        int n = r.tokens.length;
        tokens.markEvent(n);
        if (n > 0) {
            ttftMs.update(Math.max(0, r.tokenTimesUs[0] - r.clientSendUs) / 1000);
        }
        if (n > 1) {
            tpotMs.update(Math.round((r.tokenTimesUs[n - 1] - r.tokenTimesUs[0]) / 1000.0 / (n - 1)));
        }
    }
}
