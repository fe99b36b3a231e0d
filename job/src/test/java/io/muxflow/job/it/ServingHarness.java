package io.muxflow.job.it;

import io.muxflow.job.KafkaServingIO;
import io.muxflow.job.ServingJob;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.job.local.Topics;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ProfileDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A real Kafka broker plus the serving job on the test's MiniCluster. */
public final class ServingHarness implements AutoCloseable {
    public final EmbeddedKafka kafka;
    public final Configuration conf = new Configuration();
    private final Path dir;

    public ServingHarness(String prefix) throws Exception {
        this(prefix, false);
    }

    /** @param sasl a broker with SASL and ACLs ({@link EmbeddedKafka#startWithSasl}) */
    public ServingHarness(String prefix, boolean sasl) throws Exception {
        dir = Files.createTempDirectory("muxflow-it");
        kafka = sasl ? EmbeddedKafka.startWithSasl(dir.resolve("kafka")) : EmbeddedKafka.start(dir.resolve("kafka"));
        conf.set(MuxflowOptions.BOOTSTRAP, kafka.bootstrapServers());
        conf.set(MuxflowOptions.REQUESTS_TOPIC, prefix + ".requests");
        conf.set(MuxflowOptions.RESPONSES_TOPIC, prefix + ".responses");
        conf.set(MuxflowOptions.DEAD_LETTER_TOPIC, prefix + ".dead-letter");
        conf.set(MuxflowOptions.REPORTS_TOPIC, prefix + ".stage-reports");
        conf.set(MuxflowOptions.STATS_TOPIC, prefix + ".stats");
        conf.set(MuxflowOptions.PLANS_TOPIC, prefix + ".plans");
        conf.set(MuxflowOptions.GROUP_ID, prefix);
        conf.set(MuxflowOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        // every topic the job writes, as a deployment has them: a missing statistics topic blocks its
        // sink for max.block.ms (60 s), which holds back checkpoints and so every committed response
        kafka.createTopics(Topics.of(conf));
    }

    public String requests() {
        return conf.get(MuxflowOptions.REQUESTS_TOPIC);
    }

    public String responses() {
        return conf.get(MuxflowOptions.RESPONSES_TOPIC);
    }

    public String deadLetters() {
        return conf.get(MuxflowOptions.DEAD_LETTER_TOPIC);
    }

    public static ProfileDatabase profiles(String json) {
        return new ProfileDatabase(ProfileDatabase.parse(Json.parse(json, "profiles"), "profiles"));
    }

    public JobClient submit(Plan plan, ProfileDatabase profiles) throws Exception {
        Configuration envConf = new Configuration();
        envConf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        envConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        envConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
        env.setParallelism(1);
        ServingJob.configure(env, conf);
        ServingJob.build(env, JobSpec.of(plan, profiles, conf), conf, new KafkaServingIO(conf));
        return env.executeAsync("muxflow-it");
    }

    @Override
    public void close() throws Exception {
        try {
            kafka.close();
        } finally {
            io.muxflow.planner.io.TempDir.deleteRecursively(dir);
        }
    }
}
