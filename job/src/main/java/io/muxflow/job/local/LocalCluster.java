package io.muxflow.job.local;

import java.net.URI;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * Flink in this JVM with its web dashboard (flink-runtime-web on the classpath): one MiniCluster that
 * outlives the jobs submitted to it, so a job can be stopped with a savepoint and resubmitted from it.
 */
public final class LocalCluster implements AutoCloseable {
    private final MiniCluster cluster;

    public LocalCluster(Configuration conf, int slots, int restPort) throws Exception {
        Configuration c = new Configuration(conf);
        c.set(RestOptions.PORT, restPort);
        c.set(RestOptions.BIND_PORT, Integer.toString(restPort));
        // the REST views cache the job for web.refresh-interval (3 s by default) and fetch metrics every 10 s;
        // the controller watches a redeploy through them, so keep both short
        c.setString("web.refresh-interval", "200");
        c.setString("metrics.fetcher.update-interval", "500");
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(c).setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots).build());
        cluster.start();
    }

    public URI restAddress() throws Exception {
        return cluster.getRestAddress().get();
    }

    public JobID submit(JobGraph graph) throws Exception {
        return cluster.submitJob(graph).get().getJobID();
    }

    public JobStatus status(JobID id) throws Exception {
        return cluster.getJobStatus(id).get();
    }

    /** Stops the job with a canonical savepoint under {@code dir}; returns its path. */
    public String stopWithSavepoint(JobID id, String dir) throws Exception {
        return cluster.stopWithSavepoint(id, dir, false, SavepointFormatType.CANONICAL).get();
    }

    public void cancel(JobID id) throws Exception {
        cluster.cancelJob(id).get();
    }

    public MiniCluster miniCluster() {
        return cluster;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
