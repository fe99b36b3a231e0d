package io.muxflow.gpu.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import io.muxflow.gpu.backend.ExecutorException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;

/**
 * One GPU as the cuda backend uses it: its primary context (shared with cuBLAS), the kernel module
 * loaded from the PTX built by nvcc, and a cuBLAS handle when libcublas loads. One per device index
 * per JVM; threads call {@link #makeCurrent} before touching it.
 */
public final class CudaDevice {
    /** The kernels of {@code kernels.cu} this device loads by name (extern "C", so the PTX names match). */
    static final List<String> KERNELS = List.of("embed", "layernorm", "add_bias", "add_inplace", "gelu_erf",
            "gelu_tanh", "tanh_inplace", "gather_rows", "copy_rows", "attention", "sgemm", "sgemm_nt");

    private static final Logger LOG = Logger.getLogger(CudaDevice.class.getName());
    private static final Map<Integer, CudaDevice> DEVICES = new ConcurrentHashMap<>();

    private final int index;
    private final CUcontext context = new CUcontext();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final cublasHandle cublas;

    private CudaDevice(int index) {
        this.index = index;
        CudaAvailability.Status st = CudaAvailability.probe();
        if (!st.ok()) {
            throw new ExecutorException("cuda backend unavailable: " + st.reason());
        }
        if (index < 0 || index >= st.devices()) {
            throw new ExecutorException("cuda device " + index + " does not exist (" + st.devices() + " found)");
        }
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, index);
        cuDevicePrimaryCtxRetain(context, dev);
        cuCtxSetCurrent(context);
        CUmodule module = loadModule();
        for (String f : KERNELS) {
            CUfunction fn = new CUfunction();
            cuModuleGetFunction(fn, module, f);
            functions.put(f, fn);
        }
        this.cublas = tryCublas();
    }

    public static CudaDevice get(int index) {
        return DEVICES.computeIfAbsent(index, CudaDevice::new);
    }

    private static CUmodule loadModule() {
        String ptx;
        try (InputStream in = CudaDevice.class.getResourceAsStream("kernels.ptx")) {
            if (in == null) {
                throw new ExecutorException("cuda backend unavailable: kernels.ptx missing from the build");
            }
            ptx = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ExecutorException("cannot read kernels.ptx: " + e.getMessage(), e);
        }
        // nvcc stamps its own PTX ISA version; an older driver refuses it. The kernels use nothing
        // recent, so retry with older ISA versions before giving up.
        String[] versions = {null, "8.5", "8.0", "7.8", "7.5"};
        CudaException last = null;
        for (String v : versions) {
            String text = v == null ? ptx : ptx.replaceFirst("(?m)^\\.version \\S+", ".version " + v);
            byte[] bytes = (text + "\0").getBytes(StandardCharsets.US_ASCII);
            CUmodule m = new CUmodule();
            try {
                cuModuleLoadData(m, bytes);
                if (v != null) {
                    LOG.info("cuda: loaded kernels as PTX ISA " + v + " for this driver");
                }
                return m;
            } catch (CudaException e) {
                last = e;
            }
        }
        throw new ExecutorException("cuda: the driver rejected the kernels' PTX: " + last.getMessage(), last);
    }

    private static cublasHandle tryCublas() {
        try {
            cublasHandle h = new cublasHandle();
            JCublas2.setExceptionsEnabled(true);
            JCublas2.cublasCreate(h);
            return h;
        } catch (LinkageError | CudaException e) {
            LOG.info("cuda: cuBLAS unavailable (" + e.getMessage() + "); using muxflow's own GEMM kernel");
            return null;
        }
    }

    public void makeCurrent() {
        cuCtxSetCurrent(context);
    }

    public int index() {
        return index;
    }

    CUfunction function(String name) {
        return functions.get(name);
    }

    /** The cuBLAS handle, or null when muxflow's own GEMM kernel is in use. */
    cublasHandle cublas() {
        return cublas;
    }
}
