package io.muxflow.gpu.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.gpu.cuda.CudaAvailability;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class BackendsTest {
    @Test
    void withoutAGpuCudaSaysSoAndAutoFallsBackToCpuWithOneLogLine() {
        if (CudaAvailability.available()) {
            assertThat(Backends.create("auto", 0, 1, null, 1).backend()).isEqualTo("cuda");
            return;
        }
        assertThatThrownBy(() -> Backends.create("cuda", 0, 1, null, 1)).isInstanceOf(ExecutorException.class)
                .hasMessageContaining("backend 'cuda' is unavailable").hasMessageContaining(CudaAvailability.probe().reason());
        List<LogRecord> records = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(Backends.class.getName());
        log.addHandler(h);
        try {
            assertThat(Backends.create("auto", 0, 1, null, 1).backend()).isEqualTo("cpu");
        } finally {
            log.removeHandler(h);
        }
        assertThat(records).hasSize(1);
        assertThat(records.get(0).getMessage()).contains("using cpu");
    }

    @Test
    void unknownBackendsAndMissingProfilesAreNamed() {
        assertThatThrownBy(() -> Backends.create("tpu", 0, 1, null, 1)).hasMessageContaining("unknown backend 'tpu'");
        assertThatThrownBy(() -> Backends.create("emulated", 0, 1, null, 1)).hasMessageContaining("needs model profiles");
    }
}
