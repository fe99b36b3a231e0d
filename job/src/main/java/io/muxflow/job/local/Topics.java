package io.muxflow.job.local;

import io.muxflow.job.config.MuxflowOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.NewTopic;

/** The topics a muxflow deployment uses, with partition counts. */
public final class Topics {
    private Topics() {
    }

    /** Every topic a muxflow deployment may use (the chain topics included). */
    public static Map<String, Integer> of(Configuration conf) {
        Map<String, Integer> t = new LinkedHashMap<>();
        t.put(conf.get(MuxflowOptions.REQUESTS_TOPIC), 2);
        t.put(conf.get(MuxflowOptions.RESPONSES_TOPIC), 1);
        t.put(conf.get(MuxflowOptions.DEAD_LETTER_TOPIC), 1);
        t.put(conf.get(MuxflowOptions.REPORTS_TOPIC), 1);
        t.put(conf.get(MuxflowOptions.STATS_TOPIC), 1);
        t.put(conf.get(MuxflowOptions.PLANS_TOPIC), 1);
        t.putAll(chains(conf));
        return t;
    }

    /** The chain path's topics, internal ones and the token stream (a job whose plan has a chains section uses them). */
    public static Map<String, Integer> chains(Configuration conf) {
        Map<String, Integer> t = new LinkedHashMap<>();
        t.put(conf.get(MuxflowOptions.CHAIN_HOPS_TOPIC), io.muxflow.job.egress.Serializers.CHAIN_HOP_PARTITIONS);
        t.put(conf.get(MuxflowOptions.CHAIN_EVENTS_TOPIC), 1);
        t.put(conf.get(MuxflowOptions.TOKENS_TOPIC), 1);
        return t;
    }

    /** The topics a job on {@code plan} uses: the chain topics only when the plan serves chains. */
    public static Map<String, Integer> forPlan(Configuration conf, io.muxflow.planner.plan.Plan plan) {
        Map<String, Integer> t = of(conf);
        if (plan.chains().isEmpty()) {
            t.keySet().removeAll(chains(conf).keySet());
        }
        return t;
    }

    /** Admin requests for the topics (name -> partitions) with the given replication factor. */
    public static List<NewTopic> newTopics(Map<String, Integer> topics, short replication) {
        List<NewTopic> list = new ArrayList<>();
        topics.forEach((t, p) -> list.add(new NewTopic(t, p, replication)));
        return list;
    }
}
