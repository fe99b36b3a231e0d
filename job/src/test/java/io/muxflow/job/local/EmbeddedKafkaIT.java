package io.muxflow.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker sizes its thread pools to the machine, and really runs with them. */
class EmbeddedKafkaIT {
    @Test
    void threadPoolsFollowTheCores() {
        assertThat(EmbeddedKafka.ioThreads(2)).isEqualTo(2);
        assertThat(EmbeddedKafka.networkThreads(2)).isEqualTo(1);
        assertThat(EmbeddedKafka.ioThreads(16)).isEqualTo(8); // Kafka's defaults from here on
        assertThat(EmbeddedKafka.networkThreads(16)).isEqualTo(3);
    }

    @Test
    void theBrokerRunsWithThem(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir); Admin admin = kafka.admin()) {
            Node node = admin.describeCluster().nodes().get().iterator().next();
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(broker)).all().get();
            int cores = Runtime.getRuntime().availableProcessors();
            assertThat(configs.get(broker).get("num.io.threads").value())
                    .isEqualTo(String.valueOf(EmbeddedKafka.ioThreads(cores)));
            assertThat(configs.get(broker).get("num.network.threads").value())
                    .isEqualTo(String.valueOf(EmbeddedKafka.networkThreads(cores)));
        }
    }
}
