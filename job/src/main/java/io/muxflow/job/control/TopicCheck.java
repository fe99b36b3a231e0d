package io.muxflow.job.control;

import io.muxflow.job.KafkaClients;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.local.Topics;
import io.muxflow.planner.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.flink.configuration.Configuration;

/**
 * Checks, before a job is submitted, that the Kafka cluster has every topic the job reads and writes.
 * A missing side topic (statistics, plans) would not fail the submission: its sink would block for
 * {@code max.block.ms} at its first record, holding back the checkpoints that commit every response,
 * and then restart the job, again and again.
 */
public final class TopicCheck {
    private TopicCheck() {
    }

    /** The topics (name -> partitions to create with) a job on {@code plan} needs that the cluster lacks. */
    public static Map<String, Integer> missing(Configuration conf, io.muxflow.planner.plan.Plan plan) {
        Map<String, Integer> wanted = Topics.forPlan(conf, plan);
        try (Admin admin = admin(conf)) {
            Set<String> have = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            Map<String, Integer> m = new LinkedHashMap<>(wanted);
            m.keySet().removeAll(have);
            return m;
        } catch (Exception e) {
            throw new InvalidInputException("cannot list the topics of Kafka at " + conf.get(MuxflowOptions.BOOTSTRAP)
                    + ": " + rootMessage(e), e);
        }
    }

    /** Creates the given topics with the given partition counts and replication factor. */
    public static void create(Configuration conf, Map<String, Integer> topics, short replication) {
        try (Admin admin = admin(conf)) {
            admin.createTopics(Topics.newTopics(topics, replication)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new InvalidInputException("cannot create topics " + topics.keySet() + " on Kafka at "
                    + conf.get(MuxflowOptions.BOOTSTRAP) + ": " + rootMessage(e), e);
        }
    }

    /** The error for topics found {@link #missing}: it names them and how to create them. */
    public static InvalidInputException missingError(Configuration conf, Map<String, Integer> m) {
        StringBuilder how = new StringBuilder();
        m.forEach((t, p) -> how.append(String.format("%n  kafka-topics.sh --bootstrap-server %s --create --topic %s --partitions %d",
                conf.get(MuxflowOptions.BOOTSTRAP), t, p)));
        return new InvalidInputException("Kafka at " + conf.get(MuxflowOptions.BOOTSTRAP) + " lacks the job's topics "
                + m.keySet() + "; create them (or pass --create-topics):" + how);
    }

    private static Admin admin(Configuration conf) {
        Properties p = new Properties();
        p.putAll(conf.get(MuxflowOptions.KAFKA_PROPERTIES));
        return KafkaClients.admin(conf.get(MuxflowOptions.BOOTSTRAP), p);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = Causes.root(e);
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
