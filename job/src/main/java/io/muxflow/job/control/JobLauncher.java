package io.muxflow.job.control;

import io.muxflow.job.JobGraphs;
import io.muxflow.job.KafkaServingIO;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ProfileDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;

/**
 * Builds the serving job for a cluster: options from {@code -D key=value} pairs, the plan and its
 * profiles, and (for a remote cluster) the job jar shipped with the JobGraph.
 */
public final class JobLauncher implements JobGraphFactory {
    private final ProfileDatabase profiles;
    private final Configuration conf;
    private final Path jobJar;

    public JobLauncher(ProfileDatabase profiles, Configuration conf, Path jobJar) {
        this.profiles = profiles;
        this.conf = conf;
        this.jobJar = jobJar;
        if (jobJar != null && !Files.isRegularFile(jobJar)) {
            throw new InvalidInputException("--job-jar " + jobJar + ": no such file");
        }
    }

    public static Configuration configuration(Map<String, String> options) {
        Configuration c = new Configuration();
        options.forEach(c::setString);
        return c;
    }

    @Override
    public JobGraph create(Plan plan, String savepoint, long measuredDowntimeMs) {
        Configuration c = new Configuration(conf);
        if (measuredDowntimeMs > 0) {
            c.set(MuxflowOptions.REDEPLOY_COST, java.time.Duration.ofMillis(measuredDowntimeMs));
        }
        JobGraph g = JobGraphs.serving(JobSpec.of(plan, profiles, c), c, new KafkaServingIO(c), savepoint);
        if (jobJar != null) {
            g.addJar(new org.apache.flink.core.fs.Path(jobJar.toAbsolutePath().toUri()));
        }
        return g;
    }

    /** The plan version in a running job's name ("muxflow (plan v3)"), or -1. */
    public static int versionOf(String jobName) {
        var m = java.util.regex.Pattern.compile("plan v(\\d+)").matcher(jobName);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
