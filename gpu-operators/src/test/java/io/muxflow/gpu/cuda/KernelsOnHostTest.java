package io.muxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA C source of every kernel, compiled for the CPU by g++ through {@code src/test/cuda-host}
 * (one OS thread per CUDA thread, a barrier for {@code __syncthreads()}) and checked against plain
 * reference loops with the launch shapes {@link CudaOps} uses: the kernels' arithmetic, bounds and
 * reductions are tested on machines without a GPU. What it cannot show (the driver, JCuda's argument
 * passing, device memory, real GPU timing) is left to the GPU tests.
 */
class KernelsOnHostTest {
    private static final Path KERNELS = Path.of("src", "main", "cuda", "kernels.cu");
    private static final Path HARNESS = Path.of("src", "test", "cuda-host");

    @Test
    void everyKernelMatchesItsReferenceOnTheCpu(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(KERNELS), "run from the gpu-operators module");
        // The one construct a host compiler cannot take: dynamic shared memory becomes the harness's buffer.
        String source = Files.readString(KERNELS, StandardCharsets.UTF_8);
        String hosted = source.replace("extern __shared__ float smem[];", "float* smem = cuda_host_dynamic_smem.data();");
        assertThat(hosted).as("kernels.cu declares its dynamic shared memory as the harness expects").isNotEqualTo(source);
        Files.writeString(dir.resolve("kernels_host.cu"), hosted, StandardCharsets.UTF_8);

        Path exe = dir.resolve("kernels_on_host");
        String compiled = ExternalTool.run(dir, 180, "g++", "-std=c++20", "-O2", "-pthread", "-I" + HARNESS.toAbsolutePath(),
                "-I" + dir, "-o", exe.toString(), HARNESS.resolve("kernels_on_host.cpp").toAbsolutePath().toString());
        assertThat(Files.isExecutable(exe)).as("g++ built the harness; it said:%n%s", compiled).isTrue();

        // a kernel waiting at a barrier some threads never reach would hang: the timeout catches it
        String out = ExternalTool.run(dir, 120, exe.toString());
        for (String kernel : CudaDevice.KERNELS) {
            assertThat(out).as("%s checked; the harness said:%n%s", kernel, out)
                    .containsPattern(Pattern.compile("(?m)^ok " + Pattern.quote(kernel) + "( |$)"));
        }
        assertThat(out).doesNotContain("FAIL").contains("all kernels ok");
    }
}
