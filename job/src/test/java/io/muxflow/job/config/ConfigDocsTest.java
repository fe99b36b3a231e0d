package io.muxflow.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {
    @Test
    void everyOptionHasADescriptionAndReadmeShowsTheGeneratedTable() throws Exception {
        for (ConfigOption<?> o : MuxflowOptions.all()) {
            assertThat(ConfigDocs.text(o)).as(o.key()).isNotBlank();
            assertThat(o.key()).startsWith("muxflow.");
        }
        // every declared option is listed (catches an option added to the class but not to all())
        long declared = java.util.Arrays.stream(MuxflowOptions.class.getFields())
                .filter(f -> ConfigOption.class.isAssignableFrom(f.getType())).count();
        assertThat(MuxflowOptions.all()).hasSize((int) declared);
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).as("README.md's configuration table is the output of ConfigDocs (regenerate it: "
                + "java -cp ... io.muxflow.job.config.ConfigDocs)").contains(ConfigDocs.table());
    }
}
