package io.muxflow.planner.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.planner.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceCsvTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsWithAndWithoutSlos() {
        List<String> models = List.of("a", "b");
        Workload w = new Workload(models, new double[] {0.1, 0.1, 2.5}, new int[] {1, 0, 1},
                new double[] {0.5, Double.NaN, 1.25});
        Path f = dir.resolve("t.csv");
        TraceCsv.write(f, w);
        Workload r = TraceCsv.read(f, models);
        assertThat(r.arrivals()).containsExactly(0.1, 0.1, 2.5);
        assertThat(r.modelIds()).containsExactly(1, 0, 1);
        assertThat(r.slo(0)).isEqualTo(0.5);
        assertThat(r.slo(1)).isNaN();
        Workload noSlo = new Workload(models, new double[] {1}, new int[] {0}, new double[] {Double.NaN});
        TraceCsv.write(f, noSlo);
        assertThat(TraceCsv.read(f, null).models()).containsExactly("a");
    }

    @Test
    void keepsFileOrderForEqualArrivals() throws Exception {
        Path f = dir.resolve("ties.csv");
        Files.writeString(f, "arrival_s,model\n1.0,b\n1.0,a\n1.0,b\n");
        Workload w = TraceCsv.read(f, null);
        assertThat(w.models()).containsExactly("b", "a");
        assertThat(w.modelIds()).containsExactly(0, 1, 0);
    }

    @Test
    void errorsNameTheLine() throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "arrival_s,model\n0.5,a\nzero,a\n");
        assertThatThrownBy(() -> TraceCsv.read(f, null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bad.csv: line 3").hasMessageContaining("'zero'");
        Files.writeString(f, "arrival_s,model\n0.5,a\n0.4,a\n");
        assertThatThrownBy(() -> TraceCsv.read(f, null)).hasMessageContaining("line 3").hasMessageContaining("sorted");
        Files.writeString(f, "time,model\n0.5,a\n");
        assertThatThrownBy(() -> TraceCsv.read(f, null)).hasMessageContaining("line 1").hasMessageContaining("header");
        Files.writeString(f, "arrival_s,model\n0.5,zz\n");
        assertThatThrownBy(() -> TraceCsv.read(f, List.of("a"))).hasMessageContaining("line 2")
                .hasMessageContaining("'zz'");
        Files.writeString(f, "arrival_s,model,slo_s\n0.5,a,-1\n");
        assertThatThrownBy(() -> TraceCsv.read(f, null)).hasMessageContaining("line 2").hasMessageContaining("slo_s");
        Files.writeString(f, "arrival_s,model\n0.5\n");
        assertThatThrownBy(() -> TraceCsv.read(f, null)).hasMessageContaining("line 2").hasMessageContaining("fields");
    }
}
