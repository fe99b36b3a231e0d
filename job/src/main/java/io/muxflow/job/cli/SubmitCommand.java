package io.muxflow.job.cli;

import io.muxflow.job.control.JobLauncher;
import io.muxflow.job.control.RestClusterAccess;
import io.muxflow.planner.plan.Plan;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
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

    @Override
    public Integer call() throws Exception {
        Plan p = Plan.read(plan);
        JobLauncher launcher = new JobLauncher(cluster.profileDb(), JobLauncher.configuration(cluster.jobOptions()),
                cluster.jobJar);
        try (RestClusterAccess access = new RestClusterAccess(cluster.rest)) {
            JobID id = access.submit(launcher.create(p, savepoint, -1));
            var out = spec.commandLine().getOut();
            out.printf("submitted plan v%d as job %s; waiting for its tasks...%n", p.version(), id);
            out.flush();
            boolean ok = access.awaitRunning(id, 120_000);
            out.printf(ok ? "job %s runs%n" : "job %s did not start within 120 s%n", id);
            return ok ? 0 : 1;
        }
    }
}
