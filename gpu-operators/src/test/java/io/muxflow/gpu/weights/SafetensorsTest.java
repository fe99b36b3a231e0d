package io.muxflow.gpu.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void readsF32F16AndBf16() throws Exception {
        float[] v = {0f, 1f, -2.5f, 65504f, 6.1035156e-05f, 5.9604645e-08f, 0.1f};
        Path f = dir.resolve("m.safetensors");
        new SafetensorsWriter().put("a", v, new int[] {7}, "F32").put("b", v, new int[] {1, 7}, "F16")
                .put("c", v, new int[] {7, 1}, "BF16").write(f);
        SafetensorsFile s = SafetensorsFile.open(f);
        assertThat(s.readFloats("a")).containsExactly(v);
        float[] half = s.readFloats("b");
        assertThat(half[3]).isEqualTo(65504f);
        assertThat(half[5]).isEqualTo(5.9604645e-08f); // smallest subnormal
        assertThat(half[6]).isCloseTo(0.1f, org.assertj.core.api.Assertions.within(1e-4f));
        float[] bf = s.readFloats("c");
        assertThat(bf[2]).isEqualTo(-2.5f);
        assertThat(bf[6]).isCloseTo(0.1f, org.assertj.core.api.Assertions.within(1e-3f));
        assertThat(new SafetensorsWeights(f).get("b", 1, 7)).hasSize(7);
    }

    private Path raw(String name, String header, int dataBytes, long declaredLength) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength < 0 ? h.length : declaredLength).put(h);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    @Test
    void rejectsBrokenFilesNamingFileAndTensor() throws Exception {
        Path truncated = raw("t.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8, -1);
        assertThatThrownBy(() -> SafetensorsFile.open(truncated)).isInstanceOf(WeightException.class)
                .hasMessageContaining("t.safetensors").hasMessageContaining("'w'").hasMessageContaining("outside");
        Path huge = raw("h.safetensors", "{}", 0, 1L << 40);
        assertThatThrownBy(() -> SafetensorsFile.open(huge)).hasMessageContaining("h.safetensors")
                .hasMessageContaining("implausible");
        Path shortHeader = raw("s.safetensors", "{}", 0, 5000);
        assertThatThrownBy(() -> SafetensorsFile.open(shortHeader)).hasMessageContaining("truncated");
        Path lies = raw("l.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 12]}}", 16, -1);
        assertThatThrownBy(() -> SafetensorsFile.open(lies)).hasMessageContaining("'w'").hasMessageContaining("needs 16");
        Path tiny = dir.resolve("x.safetensors");
        Files.write(tiny, new byte[] {1, 2});
        assertThatThrownBy(() -> SafetensorsFile.open(tiny)).hasMessageContaining("truncated");
        Path notJson = raw("j.safetensors", "{not json", 0, -1);
        assertThatThrownBy(() -> SafetensorsFile.open(notJson)).hasMessageContaining("JSON");
        assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("none.safetensors"))).hasMessageContaining("no such file");
    }

    @Test
    void missingTensorsWrongDtypesAndShapesAreNamed() throws Exception {
        Path f = dir.resolve("w.safetensors");
        new SafetensorsWriter().put("x", new float[6], new int[] {2, 3}, "F32").write(f);
        SafetensorsWeights w = new SafetensorsWeights(f);
        assertThatThrownBy(() -> w.get("y", 2, 3)).hasMessageContaining("w.safetensors").hasMessageContaining("missing tensor 'y'");
        assertThatThrownBy(() -> w.get("x", 3, 2)).hasMessageContaining("'x'").hasMessageContaining("[2, 3]")
                .hasMessageContaining("[3, 2]");
        Path ints = raw("i.safetensors", "{\"n\": {\"dtype\": \"I32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8, -1);
        assertThatThrownBy(() -> SafetensorsFile.open(ints).readFloats("n")).hasMessageContaining("'n'")
                .hasMessageContaining("I32");
    }

    @Test
    void halfConversionsRoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = Dtypes.halfToFloat(h);
            if (!Float.isNaN(f)) {
                assertThat(Dtypes.floatToHalf(f)).isEqualTo(h);
            }
        }
        assertThat(Dtypes.bf16ToFloat(Dtypes.floatToBf16(1.5f))).isEqualTo(1.5f);
    }
}
