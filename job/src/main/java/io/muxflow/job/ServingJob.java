package io.muxflow.job;

import io.muxflow.job.adapt.AdaptSpec;
import io.muxflow.job.adapt.ArrivalEvent;
import io.muxflow.job.adapt.ArrivalStatsOperator;
import io.muxflow.job.adapt.ModelStatsEvent;
import io.muxflow.job.adapt.OutcomeEvent;
import io.muxflow.job.adapt.ReplanOperator;
import io.muxflow.job.chain.ChainDispatcherOperator;
import io.muxflow.job.chain.ChainHop;
import io.muxflow.job.chain.ChainServerOperator;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.dispatch.BatchingDispatcher;
import io.muxflow.job.dispatch.CellPartitioner;
import io.muxflow.job.dispatch.Dispatcher;
import io.muxflow.job.dispatch.RoutingKeys;
import io.muxflow.job.dispatch.ServingPlan;
import io.muxflow.job.egress.ResponseMetricsOperator;
import io.muxflow.job.ingest.RequestDeduplicator;
import io.muxflow.job.ingest.RequestValidator;
import io.muxflow.job.metrics.ModelNames;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.job.model.StageReport;
import io.muxflow.job.stage.ReportCoalescer;
import io.muxflow.job.stage.StageOperator;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Builds the serving topology of ARCHITECTURE.md ("The request path") on an environment:
 *
 * <pre>
 * requests-source -> validate -> dispatch (one subtask per cell) -> stage-layer-0 -> ... -> stage-layer-(D-1)
 *                       |            |                                  |  (replies, reports)
 *                       +------------+-- replies --> egress-metrics -> responses-sink
 *                   dead-letter-sink                                    +--> egress-metrics-k -> responses-sink-k
 *                                                                       |    (chained to stage-layer-k)
 *                                                reports-source <- reports-sink <- report-coalesce-k
 * </pre>
 *
 * With {@code muxflow.sink.responses-per-stage} off the stages' replies go to the shared
 * egress-metrics too.
 *
 * Every operator has a stable uid; each stage layer gets its own slot sharing group (optionally
 * asking for one GPU) and one subtask per group deep enough, reached by a partitioner that maps the
 * request's group to its slot.
 */
public final class ServingJob {
    /**
     * Buffer timeout of the side stream's inputs (arrivals and outcomes, one record each per request).
     * Statistics over minutes need no per-record flush, and flushing each would wake the statistics
     * task twice per request on cores the request path needs.
     */
    public static final long SIDE_STREAM_BUFFER_TIMEOUT_MS = 50;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServingJob.class);

    private ServingJob() {
    }

    /** Applies the job's environment settings: buffer timeout, checkpointing, max parallelism. */
    public static void configure(StreamExecutionEnvironment env, Configuration conf) {
        env.setBufferTimeout(conf.get(MuxflowOptions.BUFFER_TIMEOUT).toMillis());
        env.enableCheckpointing(conf.get(MuxflowOptions.CHECKPOINT_INTERVAL).toMillis());
        env.setMaxParallelism(conf.get(MuxflowOptions.MAX_PARALLELISM));
    }

    public static void build(StreamExecutionEnvironment env, JobSpec spec, Configuration conf, ServingIO io) {
        ServingPlan plan = new ServingPlan(spec);
        if (spec.batching()) {
            warnUnbatchable(plan, spec.maxBatch());
        }
        ModelNames names = new ModelNames(plan.allModels());
        SingleOutputStreamOperator<io.muxflow.job.model.RawRecord> raw = env
                .fromSource(io.requests(), WatermarkStrategy.noWatermarks(), "requests").uid("requests-source")
                .name("requests-source");
        SingleOutputStreamOperator<ServingRequest> validated = raw.process(new RequestValidator(spec)).uid("validate")
                .name("validate");
        // idempotent request ids: group requests here, chain requests in the chain dispatcher's state
        DataStream<ServingRequest> valid = validated;
        SingleOutputStreamOperator<ServingRequest> deduped = null;
        if (spec.dedupeRetentionUs() > 0) {
            // With one validate subtask every key group is its own, so the stream already is partitioned by
            // request id: keyed state without a shuffle, chained to validate (no thread hop on the request
            // path). With more, a real keyBy.
            org.apache.flink.api.java.functions.KeySelector<ServingRequest, String> byId = r -> r.requestId;
            var keyed = validated.getParallelism() == 1
                    ? org.apache.flink.streaming.api.datastream.DataStreamUtils.reinterpretAsKeyedStream(validated, byId,
                            org.apache.flink.api.common.typeinfo.Types.STRING)
                    : validated.keyBy(byId);
            deduped = keyed.process(new RequestDeduplicator(spec.dedupeRetentionUs())).uid("dedupe").name("dedupe");
            valid = deduped;
        }
        // Not chained to the source, so that a checkpoint's flush of dead letters never stalls the
        // request path; rebalance (not disableChaining) keeps the sink's committer chained to its
        // writer, which is how the committer finds the writer's transaction pool.
        validated.getSideOutput(RequestValidator.DEAD_LETTERS).rebalance().sinkTo(io.deadLetters())
                .uid("dead-letter-sink").name("dead-letter-sink");
        List<DataStream<Reply>> replies = new ArrayList<>();
        replies.add(validated.getSideOutput(RequestValidator.REPLIES));
        if (deduped != null) {
            replies.add(deduped.getSideOutput(RequestDeduplicator.DUPLICATES));
        }

        DataStream<StageReport> reportsIn = env.fromSource(io.reportsIn(), WatermarkStrategy.noWatermarks(),
                "stage-reports").uid("reports-source").name("reports-source");
        int cells = plan.cells();
        var toDispatch = valid.partitionCustom(new CellPartitioner(), RoutingKeys.requestCell(plan))
                .connect(reportsIn.partitionCustom(new CellPartitioner(), RoutingKeys.reportCell(plan)));
        // Same uid either way; only the batching dispatcher has state (the requests queued for a batch).
        SingleOutputStreamOperator<ServingRequest> dispatched = (spec.batching()
                ? toDispatch.transform("dispatch", TypeInformation.of(ServingRequest.class), new BatchingDispatcher(spec))
                : toDispatch.process(new Dispatcher(spec))).uid("dispatch").name("dispatch").setParallelism(cells);
        replies.add(dispatched.getSideOutput(Dispatcher.REJECTED));

        List<DataStream<StageReport>> reportsOut = new ArrayList<>();
        DataStream<ServingRequest> current = dispatched;
        boolean perLayer = conf.get(MuxflowOptions.SLOT_SHARING_PER_LAYER);
        boolean gpu = conf.get(MuxflowOptions.GPU_RESOURCE);
        long reportInterval = conf.get(MuxflowOptions.REPORT_INTERVAL).toMillis();
        long reportMinChangeUs = conf.get(MuxflowOptions.REPORT_MIN_CHANGE).toNanos() / 1000;
        boolean responsesPerStage = conf.get(MuxflowOptions.RESPONSES_PER_STAGE);
        List<SingleOutputStreamOperator<Reply>> answeredByStages = new ArrayList<>();
        for (int k = 0; k < plan.numLayers(); k++) {
            SingleOutputStreamOperator<ServingRequest> stage = current
                    .partitionCustom(new CellPartitioner(), RoutingKeys.layerSlot(plan, k))
                    .process(new StageOperator(spec, k)).uid("stage-layer-" + k).name("stage-layer-" + k)
                    .setParallelism(plan.layer(k).length);
            SingleOutputStreamOperator<StageReport> reports = stage.getSideOutput(StageOperator.REPORTS)
                    .transform("report-coalesce-" + k, TypeInformation.of(StageReport.class),
                            new ReportCoalescer(reportInterval, reportMinChangeUs))
                    .uid("report-coalesce-" + k).name("report-coalesce-" + k).setParallelism(plan.layer(k).length);
            SlotSharingGroup layerGroup = null;
            if (perLayer || gpu) {
                SlotSharingGroup.Builder ssg = SlotSharingGroup.newBuilder("layer-" + k);
                if (gpu) {
                    ssg.setCpuCores(1.0).setTaskHeapMemoryMB(512).setExternalResource("gpu", 1.0);
                }
                layerGroup = ssg.build();
                stage.slotSharingGroup(layerGroup);
                reports.slotSharingGroup(layerGroup); // same group, so it chains to the stage
            }
            if (responsesPerStage) {
                answeredByStages.add(stageEgress(stage.getSideOutput(StageOperator.REPLIES), k,
                        plan.layer(k).length, layerGroup, io, names));
            } else {
                replies.add(stage.getSideOutput(StageOperator.REPLIES));
            }
            reportsOut.add(reports);
            current = stage;
        }
        if (!reportsOut.isEmpty()) {
            DataStream<StageReport> allReports = reportsOut.get(0);
            for (int i = 1; i < reportsOut.size(); i++) {
                allReports = allReports.union(reportsOut.get(i));
            }
            allReports.sinkTo(io.reportsOut()).uid("reports-sink").name("reports-sink");
        }
        if (!plan.chainModels().isEmpty()) {
            for (String llm : plan.chainModels()) {
                if (!plan.chain(llm).hasChains() && !spec.chain().router().equals("petals")) {
                    // refused at submit, not when the dispatcher first routes a job
                    throw new io.muxflow.planner.InvalidInputException("plan v" + plan.version() + ": '" + llm
                            + "' has no chains (a placement for per-job paths only); router '" + spec.chain().router()
                            + "' needs chains: use " + MuxflowOptions.CHAIN_ROUTER.key() + "=petals or a plan with chains");
                }
            }
            replies.add(chains(env, validated.getSideOutput(RequestValidator.CHAIN_REQUESTS), plan, spec, io));
        }
        DataStream<Reply> all = replies.get(0);
        for (int i = 1; i < replies.size(); i++) {
            all = all.union(replies.get(i));
        }
        SingleOutputStreamOperator<Reply> egress = all.process(new ResponseMetricsOperator(names)).uid("egress-metrics")
                .name("egress-metrics").setParallelism(1);
        egress.sinkTo(io.responses()).uid("responses-sink").name("responses-sink").setParallelism(1);
        // Outcomes are taken where each reply is answered (chained there), so that only the batched
        // side-stream edge crosses tasks: a union first would flush to its own task per reply.
        DataStream<OutcomeEvent> outcomes = outcomes(egress, "", names);
        for (int k = 0; k < answeredByStages.size(); k++) {
            outcomes = outcomes.union(outcomes(answeredByStages.get(k), "-" + k, names));
        }
        adaptation(valid, outcomes, spec, io, names);
    }

    /** Batching on, but some model's profile has no batch size above 1 under its group's configuration. */
    private static void warnUnbatchable(ServingPlan plan, int maxBatch) {
        java.util.Set<String> alone = new java.util.TreeSet<>();
        for (int g = 0; g < plan.numGroups(); g++) {
            for (int m : plan.group(g).models()) {
                var b = plan.latencyTable().batches(plan.plan().groups().get(g).config(), m);
                if (b == null || b.batchSizes().length < 2) {
                    alone.add(plan.models().get(m));
                }
            }
        }
        if (!alone.isEmpty()) {
            LOG.warn("{} = {}, but the profiles of {} have no batch size from 2 to {}: their requests queue for a "
                    + "group and run one at a time (profile them with muxflow profile --batch 1,2,4,...)",
                    MuxflowOptions.MAX_BATCH.key(), maxBatch, alone, maxBatch);
        }
    }

    /**
     * The chain path (ARCHITECTURE.md, "The chain path"): generation requests -> chain-dispatch (keyed
     * by LLM) -> hop topic -> chain-server-LLM (one subtask per server) -> hop topic ... -> the sampling
     * server's tokens and job ends -> event topic -> chain-dispatch -> final responses. Flink 2 has no
     * iterations: the decode loop closes through Kafka, as the stage reports do.
     */
    private static DataStream<Reply> chains(StreamExecutionEnvironment env, DataStream<ServingRequest> requests,
            ServingPlan plan, JobSpec spec, ServingIO io) {
        DataStream<ChainHop> events = env.fromSource(io.chainEventsIn(), WatermarkStrategy.noWatermarks(), "chain-events")
                .uid("chain-events-source").name("chain-events-source");
        SingleOutputStreamOperator<Reply> dispatched = requests.keyBy(r -> r.model)
                .connect(events.keyBy(e -> e.llm)).process(new ChainDispatcherOperator(spec)).uid("chain-dispatch")
                .name("chain-dispatch").setParallelism(1);
        DataStream<ChainHop> hopsIn = env.fromSource(io.chainHopsIn(), WatermarkStrategy.noWatermarks(), "chain-hops")
                .uid("chain-hops-source").name("chain-hops-source");
        DataStream<ChainHop> hopsOut = dispatched.getSideOutput(ChainDispatcherOperator.HOPS);
        DataStream<ChainHop> eventsOut = null;
        for (String llm : plan.chainModels()) {
            int servers = plan.chain(llm).servers().size();
            SingleOutputStreamOperator<ChainHop> server = hopsIn.filter(h -> h.llm.equals(llm))
                    .uid("chain-hops-" + llm).name("chain-hops-" + llm)
                    .partitionCustom(new CellPartitioner(), ChainHop::targetServer)
                    .transform("chain-server-" + llm, TypeInformation.of(ChainHop.class), new ChainServerOperator(spec, llm))
                    .uid("chain-server-" + llm).name("chain-server-" + llm)
                    .setParallelism(servers)
                    .slotSharingGroup(SlotSharingGroup.newBuilder("chain-" + llm).build());
            hopsOut = hopsOut.union(server);
            DataStream<ChainHop> ev = server.getSideOutput(ChainServerOperator.EVENTS);
            eventsOut = eventsOut == null ? ev : eventsOut.union(ev);
        }
        hopsOut.sinkTo(io.chainHopsOut()).uid("chain-hops-sink").name("chain-hops-sink");
        eventsOut.sinkTo(io.chainEventsOut()).uid("chain-events-sink").name("chain-events-sink");
        if (spec.chain().streamTokens()) {
            dispatched.getSideOutput(ChainDispatcherOperator.TOKENS).sinkTo(io.tokens()).uid("chain-tokens-sink")
                    .name("chain-tokens-sink").setParallelism(1);
        }
        return dispatched;
    }

    /**
     * The side stream's view of answered replies of the plan's models (other names are client text and
     * must not create statistics), chained to the operator that answered them.
     */
    private static DataStream<OutcomeEvent> outcomes(SingleOutputStreamOperator<Reply> answered, String uidSuffix,
            ModelNames names) {
        int parallelism = answered.getParallelism();
        return answered.filter(r -> names.isKnown(r.model) && r.clientSendUs > 0)
                .uid("outcome-filter" + uidSuffix).name("outcome-filter" + uidSuffix).setParallelism(parallelism)
                .map(r -> new OutcomeEvent(r.model, r.clientSendUs, r.status.equals("OK") && r.finishedUs <= r.deadlineUs))
                .returns(OutcomeEvent.class).uid("outcome-events" + uidSuffix).name("outcome-events" + uidSuffix)
                .setParallelism(parallelism).setBufferTimeout(SIDE_STREAM_BUFFER_TIMEOUT_MS);
    }

    /**
     * Metrics and a responses sink chained to stage layer {@code k} (same parallelism, forward, same
     * slot sharing group): a reply leaves from the stage's own thread instead of crossing to the
     * shared responses task.
     */
    private static SingleOutputStreamOperator<Reply> stageEgress(DataStream<Reply> stageReplies, int k, int parallelism,
            SlotSharingGroup layerGroup, ServingIO io, ModelNames names) {
        SingleOutputStreamOperator<Reply> metered = stageReplies.process(new ResponseMetricsOperator(names))
                .uid("egress-metrics-" + k).name("egress-metrics-" + k).setParallelism(parallelism);
        var sink = metered.sinkTo(io.stageResponses(k)).uid("responses-sink-" + k).name("responses-sink-" + k)
                .setParallelism(parallelism);
        if (layerGroup != null) {
            metered.slotSharingGroup(layerGroup);
            sink.slotSharingGroup(layerGroup);
        }
        return metered;
    }

    /**
     * The side stream: arrivals and outcomes -> per-model statistics (to the stats topic) -> the
     * re-planner (parallelism 1), whose decisions go to the plans topic.
     */
    private static void adaptation(DataStream<ServingRequest> valid, DataStream<OutcomeEvent> outcomes, JobSpec spec,
            ServingIO io, ModelNames names) {
        AdaptSpec a = spec.adapt();
        DataStream<ArrivalEvent> arrivals = valid
                .map(r -> new ArrivalEvent(r.model, r.clientSendUs, r.deadlineUs - r.clientSendUs))
                .returns(ArrivalEvent.class).uid("arrival-events").name("arrival-events")
                .setBufferTimeout(SIDE_STREAM_BUFFER_TIMEOUT_MS);
        SingleOutputStreamOperator<ModelStatsEvent> stats = arrivals.keyBy(e -> e.model)
                .connect(outcomes.keyBy(e -> e.model))
                .process(new ArrivalStatsOperator(a.windowUs(), a.slideUs(), 500_000, names)).uid("arrival-stats")
                .name("arrival-stats");
        stats.sinkTo(io.stats()).uid("stats-sink").name("stats-sink");
        if (a.enabled()) {
            stats.keyBy(e -> 0).connect(arrivals.keyBy(e -> 0)).process(new ReplanOperator(spec, a)).uid("replan")
                    .name("replan").setParallelism(1).sinkTo(io.plans()).uid("plans-sink").name("plans-sink");
        }
    }
}
