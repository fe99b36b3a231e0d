package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.yaml as docker-compose resolves it with docker/.env (no Docker engine needed):
 * valid, and the topology the cluster needs: KRaft Kafka with its topics, a JobManager, one
 * one-slot TaskManager per GPU with that GPU reserved, a CPU TaskManager, shared savepoint storage,
 * the controller; and image versions that match the build.
 */
class DockerComposeIT {
    static final Path DOCKER = Path.of("..", "docker");

    @Test
    @SuppressWarnings("unchecked")
    void composeFileResolvesToTheClusterTopology() throws Exception {
        ExternalClients.needDockerCompose();
        ExternalClients.Result r = ExternalClients.run(List.of("docker-compose", "--project-directory",
                DOCKER.toString(), "-f", DOCKER.resolve("compose.yaml").toString(), "config"), null, 60);
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> config = new Yaml().load(r.text());
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) config.get("services");
        assertThat(services).containsKeys("kafka", "kafka-init", "jobmanager", "taskmanager-cpu", "controller",
                "submit");
        Map<String, Object> kafkaEnv = (Map<String, Object>) services.get("kafka").get("environment");
        assertThat(String.valueOf(kafkaEnv.get("KAFKA_PROCESS_ROLES"))).contains("controller").contains("broker");
        String init = String.valueOf(services.get("kafka-init").get("command"));
        for (String topic : List.of("muxflow.requests", "muxflow.responses", "muxflow.dead-letter",
                "muxflow.stage-reports", "muxflow.stats", "muxflow.plans", "muxflow.chain-hops",
                "muxflow.chain-events")) {
            assertThat(init).contains(topic);
        }
        for (int k = 0; k < 8; k++) {
            Map<String, Object> tm = services.get("taskmanager-gpu-" + k);
            assertThat(tm).as("taskmanager-gpu-%d", k).isNotNull();
            String props = String.valueOf(((Map<String, Object>) tm.get("environment")).get("FLINK_PROPERTIES"));
            assertThat(props).contains("taskmanager.numberOfTaskSlots: 1").contains("external-resource.gpu.amount: 1")
                    .contains("GPUDriverFactory").contains("PrometheusReporterFactory");
            Map<String, Object> deploy = (Map<String, Object>) tm.get("deploy");
            Map<String, Object> device = ((List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) deploy
                    .get("resources")).get("reservations")).get("devices")).get(0);
            assertThat(device.get("device_ids")).isEqualTo(List.of(String.valueOf(k)));
            assertThat((List<String>) device.get("capabilities")).contains("gpu");
            // GPU k runs when the profile asks for more than k GPUs
            assertThat((List<String>) tm.get("profiles")).contains("gpus-" + (k + 1), "gpus-8")
                    .doesNotContain("gpus-" + k);
            assertThat(String.valueOf(tm.get("volumes"))).contains("/flink-data");
            // its Prometheus endpoint reaches the host, on a port of its own
            assertThat(String.valueOf(tm.get("ports"))).as("taskmanager-gpu-%d ports", k).contains(String.valueOf(9260 + k));
        }
        // the profile the guide names for a machine without GPUs defines a TaskManager for the stages
        assertThat((List<String>) services.get("taskmanager-cpu-stages").get("profiles")).containsExactly("cpu-only");
        // the CLI container gets a GPU (profiling with --backend cuda needs one; the image's jar carries the PTX)
        Map<String, Object> cli = services.get("cli");
        assertThat(String.valueOf(cli.get("deploy"))).contains("gpu");
        assertThat(String.valueOf(cli.get("volumes"))).contains("/work");
        for (String s : List.of("jobmanager", "controller")) {
            assertThat(String.valueOf(services.get(s).get("volumes"))).as(s).contains("/flink-data");
        }
        assertThat(String.valueOf(services.get("controller").get("command"))).contains("controller")
                .contains("file:///flink-data/savepoints");
        assertThat(String.valueOf(services.get("jobmanager").get("environment")))
                .contains("execution.checkpointing.savepoint-dir: file:///flink-data/savepoints");
    }

    @Test
    void imageVersionsMatchTheBuild() throws Exception {
        String pom = Files.readString(Path.of("..", "pom.xml"));
        String env = Files.readString(DOCKER.resolve(".env"));
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        String flink = group(pom, "<flink.version>([^<]+)</flink.version>");
        String kafka = group(pom, "<kafka.version>([^<]+)</kafka.version>");
        assertThat(group(env, "(?m)^FLINK_VERSION=(\\S+)")).isEqualTo(flink);
        assertThat(group(dockerfile, "(?m)^ARG FLINK_VERSION=(\\S+)")).isEqualTo(flink);
        assertThat(group(env, "(?m)^KAFKA_IMAGE=apache/kafka:(\\S+)")).isEqualTo(kafka);
        assertThat(group(env, "(?m)^COMPOSE_PROFILES=(\\S+)")).matches("(gpus-[1-8]|cpu-only)(,\\S+)?");
        assertThat(dockerfile).contains("FROM flink:${FLINK_VERSION}-java17").contains("/opt/flink/usrlib/");
        // the CUDA libraries come from the CUDA_VERSION the image is built with, not a fixed path
        assertThat(dockerfile).doesNotContainPattern("cuda-\\d+\\.\\d+/");
        // Maven refuses a reactor whose modules are missing, even when building only some of them
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        int n = 0;
        while (modules.find()) {
            assertThat(dockerfile).as("the build stage copies module %s", modules.group(1))
                    .contains("COPY " + modules.group(1) + " " + modules.group(1));
            n++;
        }
        assertThat(n).isGreaterThanOrEqualTo(5);
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in the file", regex).isTrue();
        return m.group(1);
    }
}
