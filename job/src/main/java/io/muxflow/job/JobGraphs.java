package io.muxflow.job;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.dispatch.ServingPlan;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The serving job as a JobGraph, for submission to a running cluster (optionally restored from a savepoint). */
public final class JobGraphs {
    private JobGraphs() {
    }

    public static JobGraph serving(JobSpec spec, Configuration conf, ServingIO io, String savepoint) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        ServingJob.configure(env, conf);
        ServingJob.build(env, spec, conf, io);
        var sg = env.getStreamGraph();
        sg.setJobName("muxflow (plan v" + new ServingPlan(spec).version() + ")");
        JobGraph g = sg.getJobGraph();
        if (savepoint != null) {
            // stage layers may come and go with a new plan; only they may be left unrestored
            g.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, true));
        }
        return g;
    }

    /** Slots the job needs: one for the shared operators plus one per stage subtask and chain server. */
    public static int slots(JobSpec spec) {
        ServingPlan p = new ServingPlan(spec);
        int n = Math.max(1, p.cells());
        for (int k = 0; k < p.numLayers(); k++) {
            n += p.layer(k).length;
        }
        for (String llm : p.chainModels()) {
            n += p.chain(llm).servers().size();
        }
        return n;
    }
}
