package io.muxflow.job.ingest;

import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Idempotent request ids (keyed by request id): a request whose id was seen within the retention
 * window is not run again; it is answered REJECTED with a detail naming the first arrival. The first
 * arrival's time is keyed state with a time-to-live of the retention, so the state holds at most the
 * ids of one retention window and survives restarts (a request replayed from the topic after a
 * restore is the same record, and its first arrival is rolled back with the state, so it runs).
 */
public final class RequestDeduplicator extends KeyedProcessFunction<String, ServingRequest, ServingRequest> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<Reply> DUPLICATES = new OutputTag<>("duplicate-replies") {
        private static final long serialVersionUID = 1L;
    };

    private final long retentionUs;
    private transient ValueState<Long> firstSeenUs;
    private transient Counter duplicates;

    public RequestDeduplicator(long retentionUs) {
        if (retentionUs <= 0) {
            throw new IllegalArgumentException("retention must be > 0 (0 means no deduplicator at all)");
        }
        this.retentionUs = retentionUs;
    }

    /** The TTL of seen ids: expired ids are never read back, and are dropped on access and in full snapshots. */
    public static StateTtlConfig ttl(long retentionUs) {
        return StateTtlConfig.newBuilder(Duration.ofNanos(retentionUs * 1000)).updateTtlOnCreateAndWrite()
                .neverReturnExpired().cleanupFullSnapshot().cleanupIncrementally(10, false).build();
    }

    @Override
    public void open(OpenContext ctx) {
        ValueStateDescriptor<Long> d = new ValueStateDescriptor<>("first-seen-us", Types.LONG);
        d.enableTimeToLive(ttl(retentionUs));
        firstSeenUs = getRuntimeContext().getState(d);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicateRequests");
    }

    @Override
    public void processElement(ServingRequest r, Context ctx, Collector<ServingRequest> out) throws Exception {
        Long first = firstSeenUs.value();
        if (first == null) {
            firstSeenUs.update(r.receivedUs);
            out.collect(r);
            return;
        }
        duplicates.inc();
        ctx.output(DUPLICATES, Reply.of(r, "REJECTED", duplicateDetail(r.requestId, first, r.receivedUs, retentionUs),
                -1));
    }

    public static String duplicateDetail(String id, long firstUs, long nowUs, long retentionUs) {
        return String.format("duplicate request id '%s': first received at %s (%.1f ms earlier); an id is served once "
                + "within %.0f s", id, Instant.ofEpochSecond(firstUs / 1_000_000, (firstUs % 1_000_000) * 1000),
                (nowUs - firstUs) / 1000.0, retentionUs / 1e6);
    }
}
