package io.muxflow.planner.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.muxflow.planner.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainInputsTest {
    @TempDir
    Path dir;

    @Test
    void readsModelAndServerFiles() throws Exception {
        Path m = dir.resolve("m.json");
        Files.writeString(m, """
                {"name": "tiny", "blocks": 8, "block_gb": 1.0, "d_model": 1024, "l_in": 100, "l_out": 10}""");
        Path s = dir.resolve("s.json");
        Files.writeString(s, """
                {"servers": [
                  {"name": "big", "count": 2, "memory_gb": 40, "tflops": 100, "bandwidth_gb_per_ms": 1.0, "rtt_ms": 5},
                  {"name": "measured", "memory_gb": 16, "tau_c_ms": 50, "tau_p_ms": 20}]}""");
        ChainInputs in = ChainInputs.load(m.toString(), s.toString(), null, null);
        ChainInstance inst = in.instance();
        assertThat(in.lIn()).isEqualTo(100);
        assertThat(inst.size()).isEqualTo(3);
        assertThat(inst.server(0).name()).isEqualTo("big-0");
        assertThat(inst.server(1).name()).isEqualTo("big-1");
        assertThat(inst.server(0).commS()).isCloseTo(10 * 0.005, within(1e-12));
        assertThat(inst.server(2).commS()).isCloseTo(0.05, within(1e-12));
        assertThat(inst.server(2).blockS()).isCloseTo(0.02, within(1e-12));
        assertThat(inst.model().cacheGbPerBlock()).isCloseTo(2.0 * 1024 * 110 * 2 / 1e9, within(1e-15));
        // command-line lengths override the file's
        assertThat(ChainInputs.load(m.toString(), s.toString(), 200, null).instance().model().cacheGbPerBlock())
                .isCloseTo(2.0 * 1024 * 210 * 2 / 1e9, within(1e-15));
    }

    @Test
    void paperMixHasTheRequestedShareOfFastServers() {
        ChainInputs in = ChainInputs.load("bloom-176b", "paper:20,0.3", null, null);
        long fast = in.instance().servers().stream().filter(s -> s.memoryGb() == 40).count();
        assertThat(fast).isEqualTo(6);
        assertThat(in.instance().blocks()).isEqualTo(70);
    }

    @Test
    void malformedInputsNameTheProblem() throws Exception {
        Path s = dir.resolve("bad.json");
        Files.writeString(s, """
                {"servers": [{"name": "x", "memory_gb": 40, "tflops": 100, "bandwidth_gb_per_ms": 1, "tau_c_ms": 3}]}""");
        assertThatThrownBy(() -> ChainInputs.load("bloom-176b", s.toString(), null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("either tau_c_ms and tau_p_ms");
        Files.writeString(s, "{\"servers\": [{\"tau_c_ms\": 1, \"tau_p_ms\": 2}]}");
        assertThatThrownBy(() -> ChainInputs.load("bloom-176b", s.toString(), null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("memory_gb");
        Files.writeString(s, "{\"servers\": [");
        assertThatThrownBy(() -> ChainInputs.load("bloom-176b", s.toString(), null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ChainInputs.load("gpt-9", "paper:10,0.2", null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("built-in model");
        assertThatThrownBy(() -> ChainInputs.load("bloom-176b", "paper:10", null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("paper:J,ETA");
        assertThatThrownBy(() -> ChainInputs.load("bloom-176b", "paper:10,1.5", null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("ETA");
        Files.writeString(s, "{\"servers\": [{\"memory_gb\": -4, \"tau_c_ms\": 1, \"tau_p_ms\": 2}]}");
        assertThatThrownBy(() -> ChainInputs.load("bloom-176b", s.toString(), null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("memory");
    }
}
