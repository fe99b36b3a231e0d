package io.muxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.control.TopicCheck;
import io.muxflow.job.it.ServingEndToEndIT;
import io.muxflow.job.local.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code muxflow submit} against a real broker that lacks some of the job's topics. */
class SubmitTopicsIT {
    @Test
    void missingTopicsAreNamedOrCreatedBeforeAnythingIsSubmitted(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, ServingEndToEndIT.PLAN);
        Path profiles = dir.resolve("profiles.json");
        Files.writeString(profiles, ServingEndToEndIT.PROFILES);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            kafka.createTopics(Map.of("muxflow.requests", 2, "muxflow.responses", 1));
            // nothing listens on port 9: the command must stop before it talks to Flink
            String[] args = {"submit", "--rest", "http://127.0.0.1:9", "--bootstrap", kafka.bootstrapServers(),
                "--profiles", profiles.toString(), "--plan", plan.toString()};

            CliRunner r = CliRunner.run(args);
            assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains("lacks the job's topics").contains("muxflow.stats").contains("muxflow.plans")
                    .contains("muxflow.dead-letter").contains("kafka-topics.sh").doesNotContain("muxflow.requests,");

            Configuration conf = new Configuration();
            conf.set(MuxflowOptions.BOOTSTRAP, kafka.bootstrapServers());
            var groupsOnly = io.muxflow.planner.plan.Plan.read(plan);
            assertThat(TopicCheck.missing(conf, groupsOnly)).containsKeys("muxflow.stats", "muxflow.stage-reports")
                    .doesNotContainKeys("muxflow.chain-hops", "muxflow.chain-events");
            // a plan that serves chains needs the chain path's topics as well
            assertThat(TopicCheck.missing(conf, io.muxflow.job.chain.ChainFixtures.plan(1)))
                    .containsKeys("muxflow.chain-hops", "muxflow.chain-events");

            String[] create = java.util.Arrays.copyOf(args, args.length + 1);
            create[args.length] = "--create-topics";
            CliRunner c = CliRunner.run(create);
            assertThat(c.out()).contains("created topics");
            assertThat(c.exitCode()).as("then the unreachable REST address fails it").isNotZero();
            assertThat(TopicCheck.missing(conf, groupsOnly)).isEmpty();
        }
    }
}
