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

    /**
     * geo: servers: tau_c = RTT_input + (l_out - 1) RTT with RTTs from the fitted lognormal, so that
     * per-server tau_c spreads as the paper's (about 256-893 ms, median about 430 ms at l_out = 20),
     * reproducibly for a seed; paper: keeps one RTT for all.
     */
    @Test
    void geoServersSpreadTheirCommunicationTimesAsAWideAreaNetwork() {
        ChainInstance many = ChainInputs.load("bloom-176b", "geo:400,0.2,7", null, null).instance();
        double[] tauC = many.servers().stream().mapToDouble(ServerSpec::commS).sorted().toArray();
        assertThat(tauC[tauC.length / 2]).isBetween(0.40, 0.46);
        assertThat(tauC[(int) (0.02 * tauC.length)]).isBetween(0.20, 0.30);
        assertThat(tauC[(int) (0.98 * tauC.length)]).isBetween(0.75, 1.00);
        ChainInstance a = ChainInputs.load("bloom-176b", "geo:20,0.2,1", null, null).instance();
        ChainInstance b = ChainInputs.load("bloom-176b", "geo:20,0.2,1", null, null).instance();
        ChainInstance c = ChainInputs.load("bloom-176b", "geo:20,0.2,2", null, null).instance();
        assertThat(a.servers()).isEqualTo(b.servers());
        assertThat(a.servers()).isNotEqualTo(c.servers());
        // 4 fast, 16 slow, as paper:20,0.2; only the network differs
        ChainInstance paper = ChainInputs.load("bloom-176b", "paper:20,0.2", null, null).instance();
        assertThat(a.servers().stream().filter(x -> x.memoryGb() == 40).count()).isEqualTo(4);
        for (int j = 0; j < 20; j++) {
            assertThat(a.server(j).blockS()).isEqualTo(paper.server(j).blockS());
        }
        assertThat(paper.servers().stream().mapToDouble(ServerSpec::commS).distinct().count()).isEqualTo(1);
        assertThatThrownBy(() -> ChainInputs.load("bloom-176b", "geo:20,0.2", null, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("geo:J,ETA,SEED");
    }
}
