package io.muxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The PTX the build made from {@code kernels.cu} (where nvcc was found) defines every kernel the cuda
 * device looks up by name, so a renamed or mangled kernel shows here rather than on a GPU.
 */
class KernelsPtxTest {
    @Test
    void everyKernelTheDeviceLoadsIsAnEntryOfThePtx() throws Exception {
        String ptx;
        try (InputStream in = CudaDevice.class.getResourceAsStream("kernels.ptx")) {
            assumeTrue(in != null, "this build has no PTX (nvcc was not found)");
            ptx = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        List<String> entries = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\.visible \\.entry (\\w+)\\(").matcher(ptx);
        while (m.find()) {
            entries.add(m.group(1));
        }
        assertThat(entries).containsAll(CudaDevice.KERNELS);
        assertThat(CudaAvailability.ptxPresent()).isTrue();
    }
}
