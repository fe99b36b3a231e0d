package io.muxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PTX the build made from {@code kernels.cu} (where nvcc was found) defines every kernel the cuda
 * device looks up by name, and assembles for the GPUs muxflow is deployed on, so a renamed or mangled
 * kernel, or PTX the driver's JIT would refuse, shows here rather than on a GPU.
 */
class KernelsPtxTest {
    @Test
    void everyKernelTheDeviceLoadsIsAnEntryOfThePtx() throws Exception {
        String ptx = ptx();
        List<String> entries = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\.visible \\.entry (\\w+)\\(").matcher(ptx);
        while (m.find()) {
            entries.add(m.group(1));
        }
        assertThat(entries).containsAll(CudaDevice.KERNELS);
        assertThat(CudaAvailability.ptxPresent()).isTrue();
    }

    /**
     * ptxas (shipped with nvcc) is the assembler the driver's JIT uses: what it refuses for an
     * architecture, {@code cuModuleLoadData} refuses on that GPU. sm_75 is the PTX's own target,
     * sm_80 / sm_90 the A100 and H100 / H200.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sm_75", "sm_80", "sm_90"})
    void ptxAssemblesForTheTargetArchitectures(String arch, @TempDir Path dir) throws Exception {
        String ptx = ptx();
        Path src = Files.writeString(dir.resolve("kernels.ptx"), ptx, StandardCharsets.US_ASCII);
        String out = ExternalTool.run(dir, 60, "ptxas", "-arch=" + arch, "-v", "-o", dir.resolve("k.cubin").toString(),
                src.toString());
        for (String kernel : CudaDevice.KERNELS) {
            assertThat(out).as("ptxas compiled %s", kernel).contains("Compiling entry function '" + kernel + "'");
        }
        // Spills to local memory would make a kernel far slower than its design: none is expected.
        assertThat(out).doesNotContainPattern("[1-9]\\d* bytes spill stores");
    }

    private static String ptx() throws Exception {
        try (InputStream in = CudaDevice.class.getResourceAsStream("kernels.ptx")) {
            assumeTrue(in != null, "this build has no PTX (nvcc was not found)");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
