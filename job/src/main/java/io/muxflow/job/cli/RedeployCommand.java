package io.muxflow.job.cli;

import io.muxflow.job.adapt.PlanRecord;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.control.JobLauncher;
import io.muxflow.job.KafkaClients;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.plan.Plan;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code muxflow redeploy}: ask the controller to move the job to a new plan, by publishing the same
 * REDEPLOY decision the re-planner publishes, and wait for the controller's outcome.
 */
@Command(name = "redeploy", mixinStandardHelpOptions = true,
        description = "Publish a REDEPLOY decision (current plan -> new plan) on the plans topic for the controller, "
                + "and wait for its DEPLOYED or FAILED outcome.")
public final class RedeployCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--plan", required = true, paramLabel = "PLAN", description = "The new plan (its version must be higher).")
    Path plan;

    @Option(names = "--current-plan", required = true, paramLabel = "PLAN",
            description = "The plan the job runs now (the controller falls back to it if the new one does not start).")
    Path currentPlan;

    @Option(names = "--reason", defaultValue = "operator request", description = "Why (recorded on the plans topic).")
    String reason;

    @Option(names = "--wait-s", defaultValue = "300", paramLabel = "S",
            description = "How long to wait for the controller's outcome; 0 returns at once (default: ${DEFAULT-VALUE}).")
    int waitS;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "A job option: muxflow.topic.plans, muxflow.kafka.properties.")
    Map<String, String> options = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Plan next = Plan.read(plan);
        Plan current = Plan.read(currentPlan);
        if (next.version() <= current.version()) {
            throw new InvalidInputException("--plan has version " + next.version() + ", not above the current plan's "
                    + current.version());
        }
        Configuration conf = JobLauncher.configuration(options);
        String topic = conf.get(MuxflowOptions.PLANS_TOPIC);
        Properties extra = ControllerCommand.kafkaProperties(conf);
        PrintWriter out = spec.commandLine().getOut();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.fromEnd(bootstrap, topic, extra,
                "muxflow-redeploy-");
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, extra)) {
            PlanRecord d = new PlanRecord();
            d.action = "REDEPLOY";
            d.version = next.version();
            d.fromVersion = current.version();
            d.createdUs = Clocks.nowUs();
            d.planJson = Files.readString(plan);
            d.currentPlanJson = Files.readString(currentPlan);
            d.reason = reason;
            producer.send(new ProducerRecord<>(topic, null, Codecs.PLAN.encode(d.toAvro(), Encoding.AVRO))).get();
            out.printf("published REDEPLOY v%d -> v%d on %s%n", current.version(), next.version(), topic);
            out.flush();
            if (waitS == 0) {
                return 0;
            }
            long end = System.nanoTime() + Duration.ofSeconds(waitS).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    PlanRecord o;
                    try {
                        o = PlanRecord.fromAvro(Codecs.PLAN.decodeBinary(r.value()));
                    } catch (Exception e) {
                        continue;
                    }
                    if (o.fromVersion == current.version() && (o.action.equals("DEPLOYED") || o.action.equals("FAILED"))) {
                        out.printf("%s: %s%n", o.action, o.reason);
                        if (o.timingsJson != null) {
                            out.printf("phases (ms): %s%n", o.timingsJson);
                        }
                        out.flush();
                        return o.action.equals("DEPLOYED") && o.version == next.version() ? 0 : 1;
                    }
                }
            }
            out.printf("no outcome within %d s: is the controller running (bin/muxflow controller)?%n", waitS);
            out.flush();
            return 1;
        }
    }
}
