package io.muxflow.job;

import io.muxflow.job.model.DeadLetterRecord;
import io.muxflow.job.model.RawRecord;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.StageReport;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;

/**
 * The serving job's edges, given to {@link ServingJob} so tests and deployments choose them: the
 * request source, the responses and dead-letter sinks, and the stage-report loop back into dispatch.
 */
public interface ServingIO {
    Source<RawRecord, ?, ?> requests();

    Sink<Reply> responses();

    /**
     * A responses sink of its own for stage layer {@code layer} (used with
     * {@code muxflow.sink.responses-per-stage}): same topic, distinct transactional ids.
     */
    Sink<Reply> stageResponses(int layer);

    Sink<DeadLetterRecord> deadLetters();

    Source<StageReport, ?, ?> reportsIn();

    Sink<StageReport> reportsOut();

    Sink<io.muxflow.job.adapt.ModelStatsEvent> stats();

    Sink<io.muxflow.job.adapt.PlanRecord> plans();

    /** The chain path's loop: work for chain servers (partitioned by server). */
    Source<io.muxflow.job.chain.ChainHop, ?, ?> chainHopsIn();

    Sink<io.muxflow.job.chain.ChainHop> chainHopsOut();

    /** The chain path's tokens and job ends, back to the chain dispatcher (keyed by LLM). */
    Source<io.muxflow.job.chain.ChainHop, ?, ?> chainEventsIn();

    Sink<io.muxflow.job.chain.ChainHop> chainEventsOut();

    /** Generated tokens as they are made, for clients that stream (keyed by request id, at least once). */
    Sink<io.muxflow.job.chain.StreamedToken> tokens();
}
