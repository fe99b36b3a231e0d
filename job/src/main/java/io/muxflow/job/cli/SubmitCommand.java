package io.muxflow.job.cli;

import io.muxflow.job.control.JobLauncher;
import io.muxflow.job.control.RestClusterAccess;
import io.muxflow.job.control.TopicCheck;
import io.muxflow.planner.plan.Plan;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muxflow submit}: run the serving job on a Flink cluster for a plan. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit the serving job for a plan to a Flink cluster through its REST API (optionally restored "
                + "from a savepoint) and wait until every task runs.")
public final class SubmitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--plan", required = true, paramLabel = "PLAN", description = "Plan JSON.")
    Path plan;

    @Option(names = "--savepoint", description = "Restore from this savepoint.")
    String savepoint;

    @Option(names = "--create-topics", description = "Create the job's topics that Kafka lacks (replication factor "
            + "--replication) instead of failing.")
    boolean createTopics;

    @Option(names = "--replication", defaultValue = "1", description = "Replication factor of topics made by "
            + "--create-topics (default: ${DEFAULT-VALUE}).")
    short replication;

    @Override
    public Integer call() throws Exception {
        Plan p = Plan.read(plan);
        Configuration conf = JobLauncher.configuration(cluster.jobOptions());
        var out = spec.commandLine().getOut();
        // a missing topic would not fail the submission but stall the running job (TopicCheck)
        Map<String, Integer> missing = TopicCheck.missing(conf, p);
        if (!missing.isEmpty()) {
            if (!createTopics) {
                throw TopicCheck.missingError(conf, missing);
            }
            TopicCheck.create(conf, missing, replication);
            out.printf("created topics %s%n", missing.keySet());
        }
        JobLauncher launcher = new JobLauncher(cluster.profileDb(), conf, cluster.jobJar);
        try (RestClusterAccess access = new RestClusterAccess(cluster.rest)) {
            JobID id = access.submit(launcher.create(p, savepoint, -1));
            out.printf("submitted plan v%d as job %s; waiting for its tasks...%n", p.version(), id);
            out.flush();
            boolean ok = access.awaitRunning(id, 120_000);
            out.printf(ok ? "job %s runs%n" : "job %s did not start within 120 s%n", id);
            return ok ? 0 : 1;
        }
    }
}
