package io.muxflow.job.cli;

import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.control.Controller;
import io.muxflow.job.control.JobLauncher;
import io.muxflow.job.control.RestClusterAccess;
import io.muxflow.job.control.SavepointRealizer;
import io.muxflow.planner.InvalidInputException;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muxflow controller}: watch the plans topic and redeploy the job on a cluster through savepoints. */
@Command(name = "controller", mixinStandardHelpOptions = true,
        description = "Watch muxflow.plans and realize REDEPLOY decisions on a Flink cluster: stop the running job with "
                + "a savepoint, submit the new plan restored from it, and fall back to the old plan if it does not start.")
public final class ControllerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--savepoint-dir", required = true, paramLabel = "DIR",
            description = "Savepoint directory the cluster can write (shared storage, e.g. file:///savepoints).")
    String savepointDir;

    @Option(names = "--job-id", description = "The running muxflow job (default: the running job named muxflow...).")
    String jobId;

    @Option(names = "--start-timeout-s", defaultValue = "120", description = "How long a new job may take to run (default: ${DEFAULT-VALUE}).")
    int startTimeoutS;

    @Override
    public Integer call() throws Exception {
        Configuration conf = JobLauncher.configuration(cluster.jobOptions());
        JobLauncher launcher = new JobLauncher(cluster.profileDb(), conf, cluster.jobJar);
        var out = spec.commandLine().getOut();
        try (RestClusterAccess access = new RestClusterAccess(cluster.rest)) {
            JobID job = jobId != null ? JobID.fromHexString(jobId) : access.findRunning("muxflow");
            if (job == null) {
                throw new InvalidInputException("no running muxflow job at " + cluster.rest + " (give --job-id)");
            }
            int version = JobLauncher.versionOf(access.jobName(job));
            SavepointRealizer realizer = new SavepointRealizer(access, launcher, savepointDir, startTimeoutS * 1000L, job);
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            try (Controller c = new Controller(cluster.bootstrap, conf.get(MuxflowOptions.PLANS_TOPIC), kafkaProperties(conf),
                    realizer, version, out, r -> {
                        if (!r.action.equals("KEEP")) {
                            out.printf("plans: %s v%d -> v%d: %s%n", r.action, r.fromVersion, r.version, r.reason);
                            out.flush();
                        }
                    }, conf.get(MuxflowOptions.DEAD_LETTER_TOPIC))) {
                out.printf("controller: watching %s for job %s (plan v%d); Ctrl-C stops%n",
                        conf.get(MuxflowOptions.PLANS_TOPIC), job, version);
                out.flush();
                stop.await();
            }
        }
        return 0;
    }

    /** The deployment's extra Kafka client properties (security settings) for the controller's own clients. */
    static Properties kafkaProperties(Configuration conf) {
        Properties p = new Properties();
        p.putAll(conf.get(MuxflowOptions.KAFKA_PROPERTIES));
        return p;
    }
}
