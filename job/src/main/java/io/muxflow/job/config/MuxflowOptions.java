package io.muxflow.job.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every deployment option of the serving job, declared once with its type, default and
 * description (README's configuration table is checked against this class by a test).
 */
public final class MuxflowOptions {
    private MuxflowOptions() {
    }

    public static final ConfigOption<String> BACKEND = ConfigOptions.key("muxflow.backend").stringType()
            .defaultValue("cpu")
            .withDescription("Stage executor backend: cpu, cuda, emulated, or auto (cuda where a GPU is usable, else cpu).");

    public static final ConfigOption<Boolean> GPU_RESOURCE = ConfigOptions.key("muxflow.gpu.resource-request")
            .booleanType().defaultValue(false)
            .withDescription("Ask Flink's external-resource framework for one 'gpu' per stage slot and run on the GPU "
                    + "it assigns. Off on a MiniCluster, which has no external resources.");

    public static final ConfigOption<Boolean> SLOT_SHARING_PER_LAYER = ConfigOptions.key("muxflow.slot-sharing.per-layer")
            .booleanType().defaultValue(true)
            .withDescription("Give every stage layer its own slot sharing group so that two stages never share a device slot.");

    public static final ConfigOption<Duration> BUFFER_TIMEOUT = ConfigOptions.key("muxflow.network.buffer-timeout")
            .durationType().defaultValue(Duration.ZERO)
            .withDescription("Flink network buffer timeout; 0 flushes after every record. Serving is latency-bound: "
                    + "Flink's 100 ms default would dominate every SLO, and even 1 ms measured far worse than 0 "
                    + "(docs/BENCHMARKS.md).");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("muxflow.checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("Checkpoint interval; exactly-once responses become visible to read_committed consumers at checkpoints.");

    public static final ConfigOption<String> DELIVERY = ConfigOptions.key("muxflow.sink.delivery").stringType()
            .defaultValue("exactly-once")
            .withDescription("Response delivery: exactly-once (Kafka transactions committed on checkpoints) or at-least-once.");

    public static final ConfigOption<Integer> TRANSACTION_POOL = ConfigOptions.key("muxflow.sink.transaction-pool")
            .intType().defaultValue(3)
            .withDescription("Exactly-once delivery: transactional producers per sink subtask, kept ready so that a "
                    + "checkpoint starts the next transaction without a broker round trip (2 to 64).");

    public static final ConfigOption<Boolean> RESPONSES_PER_STAGE = ConfigOptions.key("muxflow.sink.responses-per-stage")
            .booleanType().defaultValue(true)
            .withDescription("Write each stage layer's responses with a responses sink chained to that layer's task: "
                    + "one thread hop less per request, and no single task every response passes through. The shared "
                    + "responses task then answers only validation and dispatch replies. Costs one transactional "
                    + "producer pool per stage (an empty transaction is never committed). false: every response "
                    + "goes through the shared task.");

    public static final ConfigOption<String> BOOTSTRAP = ConfigOptions.key("muxflow.kafka.bootstrap-servers")
            .stringType().defaultValue("localhost:9092").withDescription("Kafka bootstrap servers.");

    public static final ConfigOption<String> REQUESTS_TOPIC = ConfigOptions.key("muxflow.topic.requests").stringType()
            .defaultValue("muxflow.requests").withDescription("Topic of InferenceRequest records (key: model).");

    public static final ConfigOption<String> RESPONSES_TOPIC = ConfigOptions.key("muxflow.topic.responses").stringType()
            .defaultValue("muxflow.responses").withDescription("Topic of InferenceResponse records (key: request id).");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC = ConfigOptions.key("muxflow.topic.dead-letter")
            .stringType().defaultValue("muxflow.dead-letter")
            .withDescription("Topic of DeadLetter records: request bytes that could not be decoded at all.");

    public static final ConfigOption<String> STATS_TOPIC = ConfigOptions.key("muxflow.topic.stats").stringType()
            .defaultValue("muxflow.stats").withDescription("Topic of ModelArrivalStats records.");

    public static final ConfigOption<String> PLANS_TOPIC = ConfigOptions.key("muxflow.topic.plans").stringType()
            .defaultValue("muxflow.plans").withDescription("Topic of PlacementPlan records and re-placement decisions.");

    public static final ConfigOption<String> REPORTS_TOPIC = ConfigOptions.key("muxflow.topic.stage-reports")
            .stringType().defaultValue("muxflow.stage-reports")
            .withDescription("Internal topic on which stages report completions back to the dispatcher (clock correction).");

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("muxflow.kafka.group-id").stringType()
            .defaultValue("muxflow").withDescription("Consumer group of the job's Kafka sources.");

    public static final ConfigOption<Map<String, String>> KAFKA_PROPERTIES = ConfigOptions.key("muxflow.kafka.properties")
            .mapType().defaultValue(Map.of())
            .withDescription("Extra Kafka client properties passed to every source and sink, e.g. security.protocol:SASL_SSL,"
                    + "sasl.mechanism:SCRAM-SHA-256,'sasl.jaas.config:... required username=\"job\" password=\"...\";'"
                    + " (an entry whose value holds quotes, ',' or ':' goes in single quotes, whole).");

    public static final ConfigOption<Integer> MAX_REQUEST_BYTES = ConfigOptions.key("muxflow.request.max-bytes")
            .intType().defaultValue(1 << 20).withDescription("Requests larger than this are answered INVALID before any "
                    + "of them is decoded. It also bounds what decoding may allocate: every Avro length prefix is "
                    + "checked against the message's own size.");

    public static final ConfigOption<Duration> DEDUPE_RETENTION = ConfigOptions.key("muxflow.request.dedupe-retention")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("A request whose id was seen this recently is not run again: it is answered REJECTED, "
                    + "naming the first arrival (keyed state with this time-to-live). 0 turns it off.");

    public static final ConfigOption<Duration> FIXED_OVERHEAD = ConfigOptions.key("muxflow.dispatch.fixed-overhead")
            .durationType().defaultValue(Duration.ofMillis(2))
            .withDescription("Per-request overhead the dispatcher adds after the last stage when predicting a finish time.");

    public static final ConfigOption<Double> STAGE_OVERHEAD = ConfigOptions.key("muxflow.dispatch.stage-overhead-factor")
            .doubleType().defaultValue(0.0)
            .withDescription("Each profiled stage latency is multiplied by 1 + this x stages when predicting.");

    public static final ConfigOption<Integer> MAX_BATCH = ConfigOptions.key("muxflow.dispatch.max-batch")
            .intType().defaultValue(1)
            .withDescription("Largest batch a stage runs. 1: no batching, each request is admitted or rejected as it "
                    + "arrives. More: requests of a model queue at the dispatcher and a group's first stage takes the "
                    + "largest profiled batch size up to this that waits and still meets the oldest request's deadline "
                    + "(the planner's batching model; plan with the same --batching). Profiles need the batch sizes.");

    public static final ConfigOption<Integer> BATCH_QUEUE_CAPACITY = ConfigOptions.key("muxflow.dispatch.batch-queue-capacity")
            .intType().defaultValue(4096)
            .withDescription("With batching: requests a dispatch cell holds waiting for a batch. One arriving when that "
                    + "many wait is REJECTED at once, so an overload cannot grow the queue (and its checkpoints) "
                    + "without bound; the batching model itself has no bound, so keep this above rate x SLO.");

    public static final ConfigOption<Duration> REPORT_INTERVAL = ConfigOptions.key("muxflow.dispatch.report-interval")
            .durationType().defaultValue(Duration.ofMillis(5))
            .withDescription("Least time between two completion reports of one stage to the dispatcher; a report in "
                    + "between is folded into the next (exact for the clocks, which the latest report decides). 0 "
                    + "reports every completion that can move a clock.");

    public static final ConfigOption<Duration> REPORT_MIN_CHANGE = ConfigOptions.key("muxflow.dispatch.report-min-change")
            .durationType().defaultValue(Duration.ofMillis(1))
            .withDescription("A stage reports a completion only when it moves the dispatcher's clock by more than this "
                    + "from what the stage last reported (later or earlier), so the clocks stay within this of exact "
                    + "while a stage that is only late by the hop to it sends almost nothing. 0 reports every change.");

    public static final ConfigOption<Double> EMULATED_TIME_SCALE = ConfigOptions.key("muxflow.emulated.time-scale")
            .doubleType().defaultValue(1.0)
            .withDescription("The emulated backend holds its device for the profiled latency times this.");

    public static final ConfigOption<Integer> CPU_THREADS = ConfigOptions.key("muxflow.cpu.threads").intType()
            .defaultValue(1).withDescription("GEMM threads of each cpu stage.");

    public static final ConfigOption<String> MODEL_STORE = ConfigOptions.key("muxflow.model-store").stringType()
            .noDefaultValue()
            .withDescription("Directory of NAME.safetensors files (config beside); profiles without a file there run "
                    + "named shapes with synthetic weights.");

    public static final ConfigOption<Integer> MAX_PARALLELISM = ConfigOptions.key("muxflow.max-parallelism").intType()
            .defaultValue(128).withDescription("Max parallelism of every operator; fixed across redeploys so state restores.");

    public static final ConfigOption<Duration> STATS_WINDOW = ConfigOptions.key("muxflow.stats.window").durationType()
            .defaultValue(Duration.ofSeconds(60))
            .withDescription("Sliding window of the per-model arrival statistics (rate, cv, attainment) and of the "
                    + "arrival sample the re-planner simulates.");

    public static final ConfigOption<Duration> STATS_SLIDE = ConfigOptions.key("muxflow.stats.slide").durationType()
            .defaultValue(Duration.ofSeconds(5)).withDescription("How often the statistics are emitted.");

    public static final ConfigOption<Boolean> ADAPT = ConfigOptions.key("muxflow.adapt.enabled").booleanType()
            .defaultValue(true).withDescription("Run the re-planner: evaluate the plan against recent traffic and publish "
                    + "decisions on the plans topic.");

    public static final ConfigOption<Boolean> RECOMMEND_ONLY = ConfigOptions.key("muxflow.adapt.recommend-only")
            .booleanType().defaultValue(false)
            .withDescription("Publish RECOMMEND decisions instead of REDEPLOY: the controller never acts.");

    public static final ConfigOption<Duration> EVALUATION_INTERVAL = ConfigOptions.key("muxflow.adapt.interval")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("How often the re-planner simulates the current plan and searches for a better one.");

    public static final ConfigOption<Duration> STABILIZATION = ConfigOptions.key("muxflow.adapt.stabilization")
            .durationType().defaultValue(Duration.ofSeconds(60))
            .withDescription("No evaluation this long after the job (re)starts: traffic and clocks settle first.");

    public static final ConfigOption<Duration> COOLDOWN = ConfigOptions.key("muxflow.adapt.cooldown").durationType()
            .defaultValue(Duration.ofMinutes(5))
            .withDescription("No redeploy this long after the last one (also counted across redeploys).");

    public static final ConfigOption<Double> DEAD_BAND = ConfigOptions.key("muxflow.adapt.dead-band").doubleType()
            .defaultValue(0.03)
            .withDescription("Redeploy only when the candidate's predicted attainment beats the current plan's by more.");

    public static final ConfigOption<Duration> HORIZON = ConfigOptions.key("muxflow.adapt.horizon").durationType()
            .defaultValue(Duration.ofMinutes(10))
            .withDescription("How long a new plan is expected to serve: its gain is counted over this horizon "
                    + "against the requests the redeploy itself costs.");

    public static final ConfigOption<Duration> REDEPLOY_COST = ConfigOptions.key("muxflow.adapt.redeploy-downtime")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("Service gap of a redeploy; the controller replaces it with the last one it measured.");

    public static final ConfigOption<Duration> SEARCH_BUDGET = ConfigOptions.key("muxflow.adapt.search-budget")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Time the background search for a candidate plan may take; a late result is dropped.");

    public static final ConfigOption<Double> ADAPT_MEM_GB = ConfigOptions.key("muxflow.adapt.mem-gb").doubleType()
            .defaultValue(13.0).withDescription("Weight memory per device (GB) the re-planner may use.");

    public static final ConfigOption<String> SAVEPOINT_DIR = ConfigOptions.key("muxflow.savepoint-dir").stringType()
            .noDefaultValue().withDescription("Where the controller puts redeploy savepoints (shared storage on a cluster).");

    public static final ConfigOption<String> CHAIN_HOPS_TOPIC = ConfigOptions.key("muxflow.topic.chain-hops")
            .stringType().defaultValue("muxflow.chain-hops")
            .withDescription("Internal: the chain path's work for chain servers (prefill, decode steps, cache release), "
                    + "partitioned by server. The decode loop closes through it.");

    public static final ConfigOption<String> CHAIN_EVENTS_TOPIC = ConfigOptions.key("muxflow.topic.chain-events")
            .stringType().defaultValue("muxflow.chain-events")
            .withDescription("Internal: tokens and job ends from chain servers back to the chain dispatcher.");

    public static final ConfigOption<String> TOKENS_TOPIC = ConfigOptions.key("muxflow.topic.tokens")
            .stringType().defaultValue("muxflow.tokens")
            .withDescription("Generated tokens as they are made (GeneratedToken records keyed by request id, in the "
                    + "request's encoding), when muxflow.chain.stream-tokens is on.");

    public static final ConfigOption<Boolean> CHAIN_STREAM_TOKENS = ConfigOptions.key("muxflow.chain.stream-tokens")
            .booleanType().defaultValue(true)
            .withDescription("Write each generated token to the tokens topic as the dispatcher receives it (at least "
                    + "once: a consumer keeps the first of each request id and step); the final response stays "
                    + "exactly-once on the responses topic.");

    public static final ConfigOption<String> CHAIN_ROUTER = ConfigOptions.key("muxflow.chain.router").stringType()
            .defaultValue("jffc")
            .withDescription("How the chain dispatcher routes generation jobs: jffc (join the fastest free chain, one "
                    + "central FIFO queue), petals (Petals' per-job shortest path with its load penalty), jsq or sed "
                    + "(a queue per chain).");

    public static final ConfigOption<Integer> CHAIN_QUEUE_CAPACITY = ConfigOptions.key("muxflow.chain.queue-capacity")
            .intType().defaultValue(64)
            .withDescription("Generation jobs that may wait for a free chain slot, per LLM; one more is answered "
                    + "REJECTED at once.");

    public static final ConfigOption<Integer> CHAIN_MAX_NEW_TOKENS = ConfigOptions.key("muxflow.chain.max-new-tokens")
            .intType().defaultValue(512)
            .withDescription("The most tokens one request may ask to generate (max_new_tokens).");

    public static final ConfigOption<Duration> CHAIN_SILENCE_GRACE = ConfigOptions.key("muxflow.chain.silence-grace")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("A running generation whose servers send nothing this long past its deadline is answered "
                    + "TIMED_OUT by the dispatcher (the sampling server answers sooner when it still runs).");

    public static final ConfigOption<Double> CHAIN_PETALS_PENALTY = ConfigOptions.key("muxflow.chain.petals-penalty")
            .doubleType().defaultValue(10.0)
            .withDescription("Router petals: the delay (s) Petals adds to a path through a server without free cache.");

    /** All options, for documentation and the completeness test. */
    public static List<ConfigOption<?>> all() {
        return List.of(BACKEND, GPU_RESOURCE, SLOT_SHARING_PER_LAYER, BUFFER_TIMEOUT, CHECKPOINT_INTERVAL, DELIVERY,
                TRANSACTION_POOL, RESPONSES_PER_STAGE,
                BOOTSTRAP, REQUESTS_TOPIC, RESPONSES_TOPIC, DEAD_LETTER_TOPIC, STATS_TOPIC, PLANS_TOPIC, REPORTS_TOPIC,
                GROUP_ID, KAFKA_PROPERTIES, MAX_REQUEST_BYTES, DEDUPE_RETENTION, FIXED_OVERHEAD, STAGE_OVERHEAD, MAX_BATCH, BATCH_QUEUE_CAPACITY, REPORT_INTERVAL,
                REPORT_MIN_CHANGE,
                EMULATED_TIME_SCALE,
                CPU_THREADS, MODEL_STORE, MAX_PARALLELISM, STATS_WINDOW, STATS_SLIDE, ADAPT, RECOMMEND_ONLY,
                EVALUATION_INTERVAL, STABILIZATION, COOLDOWN, DEAD_BAND, HORIZON, REDEPLOY_COST, SEARCH_BUDGET, ADAPT_MEM_GB,
                SAVEPOINT_DIR, CHAIN_HOPS_TOPIC, CHAIN_EVENTS_TOPIC, TOKENS_TOPIC, CHAIN_STREAM_TOKENS, CHAIN_ROUTER, CHAIN_QUEUE_CAPACITY,
                CHAIN_MAX_NEW_TOKENS, CHAIN_SILENCE_GRACE, CHAIN_PETALS_PENALTY);
    }
}
