package io.muxflow.job.local;

import io.muxflow.job.config.MuxflowOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/** The topics a muxflow deployment uses, with partition counts. */
public final class Topics {
    private Topics() {
    }

    public static Map<String, Integer> of(Configuration conf) {
        Map<String, Integer> t = new LinkedHashMap<>();
        t.put(conf.get(MuxflowOptions.REQUESTS_TOPIC), 2);
        t.put(conf.get(MuxflowOptions.RESPONSES_TOPIC), 1);
        t.put(conf.get(MuxflowOptions.DEAD_LETTER_TOPIC), 1);
        t.put(conf.get(MuxflowOptions.REPORTS_TOPIC), 1);
        t.put(conf.get(MuxflowOptions.STATS_TOPIC), 1);
        t.put(conf.get(MuxflowOptions.PLANS_TOPIC), 1);
        return t;
    }
}
