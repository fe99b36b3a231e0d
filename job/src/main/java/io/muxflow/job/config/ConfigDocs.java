package io.muxflow.job.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** Renders {@link MuxflowOptions} as README's configuration table (README is checked against this by a test). */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    public static String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| option | default | description |\n|---|---|---|\n");
        for (ConfigOption<?> o : MuxflowOptions.all()) {
            String d = o.hasDefaultValue() ? format(o.defaultValue()) : "(none)";
            sb.append("| `").append(o.key()).append("` | ").append(d).append(" | ")
                    .append(text(o).replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        return sb.toString();
    }

    /** An option's description as plain text. */
    public static String text(ConfigOption<?> o) {
        return new org.apache.flink.configuration.description.HtmlFormatter().format(o.description());
    }

    private static String format(Object v) {
        if (v instanceof Duration d) {
            long ms = d.toMillis();
            return ms % 60000 == 0 && ms > 0 ? ms / 60000 + " min" : ms % 1000 == 0 && ms > 0 ? ms / 1000 + " s"
                    : ms + " ms";
        }
        if (v instanceof java.util.Map<?, ?> m) {
            return m.isEmpty() ? "(empty)" : m.toString();
        }
        return "`" + v + "`";
    }

    public static void main(String[] args) {
        System.out.print(table());
    }
}
