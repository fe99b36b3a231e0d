package io.muxflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.it.ServingEndToEndIT;
import io.muxflow.job.it.ServingHarness;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The serving job's graph as built (nothing runs): stable uids, and which edges flush per record. */
class ServingJobGraphTest {
    static StreamGraph graph(Configuration conf) {
        conf.set(MuxflowOptions.BACKEND, "emulated");
        conf.set(MuxflowOptions.BOOTSTRAP, "localhost:9");
        // the two-group plan of the end-to-end test: one group of one stage, one of two
        JobSpec spec = JobSpec.of(Plan.parse(Json.parse(ServingEndToEndIT.PLAN, "plan"), "plan"),
                ServingHarness.profiles(ServingEndToEndIT.PROFILES), conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        env.setParallelism(1);
        ServingJob.configure(env, conf);
        ServingJob.build(env, spec, conf, new KafkaServingIO(conf));
        return env.getStreamGraph();
    }

    static Map<String, StreamNode> byName(StreamGraph g) {
        Map<String, StreamNode> m = new HashMap<>();
        for (StreamNode n : g.getStreamNodes()) {
            m.put(n.getOperatorName(), n);
        }
        return m;
    }

    /** The names of the job's tasks (chains are named "head -> next -> ..."). */
    static List<String> taskNames(StreamGraph g) {
        List<String> tasks = new ArrayList<>();
        g.getJobGraph().getVertices().forEach(v -> tasks.add(v.getName()));
        return tasks;
    }

    /** The buffer timeout of the edge from the node named {@code from} to the node named {@code to}. */
    static long timeout(StreamGraph g, String from, String to) {
        Map<String, StreamNode> n = byName(g);
        assertThat(n).containsKeys(from, to);
        return n.get(from).getOutEdges().stream().filter(e -> e.getTargetId() == n.get(to).getId())
                .mapToLong(StreamEdge::getBufferTimeout).findFirst()
                .orElseThrow(() -> new AssertionError("no edge " + from + " -> " + to));
    }

    @Test
    void everyOperatorHasAUid() {
        StreamGraph g = graph(new Configuration());
        assertThat(g.getStreamNodes()).hasSizeGreaterThan(10);
        for (StreamNode n : g.getStreamNodes()) {
            assertThat(n.getTransformationUID()).as(n.getOperatorName()).isNotBlank();
        }
        assertThat(byName(g).get("stage-layer-1").getTransformationUID()).isEqualTo("stage-layer-1");
    }

    @Test
    void batchingSwapsTheDispatchOperatorUnderTheSameUid() {
        StreamGraph plain = graph(new Configuration());
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.MAX_BATCH, 4);
        StreamGraph batched = graph(conf);
        StreamNode a = byName(plain).get("dispatch");
        StreamNode b = byName(batched).get("dispatch");
        assertThat(b.getTransformationUID()).isEqualTo(a.getTransformationUID()).isEqualTo("dispatch");
        assertThat(b.getOperatorFactory().getStreamOperatorClass(getClass().getClassLoader()))
                .isEqualTo(io.muxflow.job.dispatch.BatchingDispatcher.class);
        assertThat(a.getOperatorFactory().getStreamOperatorClass(getClass().getClassLoader()))
                .isNotEqualTo(io.muxflow.job.dispatch.BatchingDispatcher.class);
        // the same edges in and out: the stages and the replies see no difference
        assertThat(timeout(batched, "dispatch", "stage-layer-0")).isEqualTo(timeout(plain, "dispatch", "stage-layer-0"));
        assertThat(timeout(batched, "dispatch", "egress-metrics")).isZero();
    }

    @Test
    void everyHopOfTheRequestPathUsesTheConfiguredBufferTimeout() {
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.BUFFER_TIMEOUT, Duration.ofMillis(3));
        conf.set(MuxflowOptions.RESPONSES_PER_STAGE, false); // so that the stages' replies cross to egress
        StreamGraph g = graph(conf);
        for (String[] hop : new String[][] {{"validate", "dedupe"}, {"dedupe", "dispatch"}, {"dispatch", "stage-layer-0"},
                {"stage-layer-0", "stage-layer-1"}, {"stage-layer-1", "egress-metrics"}, {"dispatch", "egress-metrics"}}) {
            assertThat(timeout(g, hop[0], hop[1])).as(hop[0] + " -> " + hop[1]).isEqualTo(3);
        }
        assertThat(timeout(graph(new Configuration()), "dedupe", "dispatch")).as("default: flush every record").isZero();
        // the side stream's inputs are batched: its statistics need no per-record flush
        assertThat(timeout(g, "arrival-events", "arrival-stats")).isEqualTo(ServingJob.SIDE_STREAM_BUFFER_TIMEOUT_MS);
        assertThat(timeout(g, "outcome-events", "arrival-stats")).isEqualTo(ServingJob.SIDE_STREAM_BUFFER_TIMEOUT_MS);
    }

    @Test
    void exactlyOnceSideSinksRunOutsideTheRequestPathsTasks() {
        StreamGraph g = graph(new Configuration());
        List<String> tasks = taskNames(g);
        String source = tasks.stream().filter(t -> t.contains("requests-source")).findFirst()
                .orElseThrow(() -> new AssertionError("no source task in " + tasks));
        assertThat(source).as("the task of the source").contains("validate").doesNotContain("dead-letter-sink");
        // idempotent ids cost no thread hop: with one validate subtask the dedupe is chained to it
        assertThat(source).as("dedupe chained to validate").contains("dedupe");
        assertThat(tasks).as("dead letters have a task of their own").anyMatch(t -> t.contains("dead-letter-sink"));
        // the pooled exactly-once sink recycles a producer only when its committer runs in the writer's task
        for (String sink : List.of("dead-letter-sink", "responses-sink")) {
            assertThat(tasks).as(sink + "'s writer and committer in one task")
                    .anyMatch(t -> t.contains(sink + ": Writer") && t.contains(sink + ": Committer"));
        }
    }

    @Test
    void completionReportsAreCoalescedInTheirStagesTask() {
        StreamGraph g = graph(new Configuration());
        List<String> tasks = taskNames(g);
        for (int k = 0; k < 2; k++) {
            String coalesce = "report-coalesce-" + k;
            String stage = "stage-layer-" + k;
            assertThat(byName(g).get(coalesce).getTransformationUID()).isEqualTo(coalesce);
            assertThat(tasks).as(coalesce + " chained to its stage (its timers run on the stage's thread)")
                    .anyMatch(t -> t.contains(stage) && t.contains(coalesce));
        }
    }

    @Test
    void responsesPerStageChainMetricsAndSinkToEachStage() {
        StreamGraph g = graph(new Configuration()); // the default
        List<String> tasks = taskNames(g);
        for (int layer = 0; layer < 2; layer++) {
            int k = layer;
            String stage = "stage-layer-" + k;
            String sink = "responses-sink-" + k;
            assertThat(byName(g).get("egress-metrics-" + k).getTransformationUID()).isEqualTo("egress-metrics-" + k);
            assertThat(tasks).as(sink + " (writer and committer), its metrics and outcomes in " + stage + "'s task")
                    .anyMatch(t -> t.contains(stage) && t.contains("egress-metrics-" + k) && t.contains("outcome-events-" + k)
                            && t.contains(sink + ": Writer") && t.contains(sink + ": Committer"));
            assertThat(timeout(g, "outcome-events-" + k, "arrival-stats")).isEqualTo(ServingJob.SIDE_STREAM_BUFFER_TIMEOUT_MS);
            assertThat(byName(g).get(stage).getOutEdges()).as(stage + " no longer feeds the shared egress")
                    .noneMatch(e -> e.getTargetId() == byName(g).get("egress-metrics").getId());
        }
        // validation and dispatch replies still leave through the shared responses task
        assertThat(timeout(g, "dispatch", "egress-metrics")).isZero();
        assertThat(byName(g)).containsKey("responses-sink: Writer");
    }

    @Test
    void withoutResponsesPerStageTheSharedResponsesTaskAnswersEverything() {
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.RESPONSES_PER_STAGE, false);
        StreamGraph g = graph(conf);
        assertThat(byName(g)).doesNotContainKey("egress-metrics-0");
        assertThat(timeout(g, "stage-layer-0", "egress-metrics")).isZero();
    }
}
