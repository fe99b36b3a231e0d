package io.muxflow.job.cli;

import io.muxflow.planner.cli.PlanningInputs;
import io.muxflow.planner.profile.ProfileDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by the commands that talk to a Flink cluster. */
public final class ClusterOptions {
    @Option(names = "--rest", required = true, paramLabel = "URL", description = "The Flink cluster's REST address, e.g. http://localhost:8081.")
    URI rest;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--profiles", required = true, paramLabel = "P", description = "The profiles the plans use (files, comma-separated).")
    String profiles;

    @Option(names = "--job-jar", paramLabel = "JAR",
            description = "The muxflow job jar to ship with the job (omit when the cluster has it in usrlib or lib).")
    Path jobJar;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "A job option (see README, Configuration).")
    Map<String, String> options = new LinkedHashMap<>();

    Map<String, String> jobOptions() {
        Map<String, String> o = new LinkedHashMap<>(options);
        o.putIfAbsent("muxflow.kafka.bootstrap-servers", bootstrap);
        return o;
    }

    ProfileDatabase profileDb() {
        return PlanningInputs.loadProfiles(profiles);
    }
}
