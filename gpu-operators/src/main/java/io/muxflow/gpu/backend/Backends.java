package io.muxflow.gpu.backend;

import io.muxflow.gpu.cpu.CpuBackend;
import io.muxflow.gpu.cuda.CudaAvailability;
import io.muxflow.gpu.cuda.CudaBackend;
import io.muxflow.gpu.emulated.EmulatedBackend;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.profile.ModelProfile;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/** Chooses a backend by name: {@code cpu}, {@code cuda}, {@code emulated} or {@code auto}. */
public final class Backends {
    public static final List<String> NAMES = List.of("cpu", "cuda", "emulated", "auto");
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());

    private Backends() {
    }

    /**
     * The largest op degree (devices per stage, intra-operator parallel) backend {@code name} executes:
     * cpu splits a stage's GEMMs over op x threads and emulated holds op devices for the (op, pp)
     * latency; cuda runs a stage on one GPU, and auto may resolve to cuda.
     */
    public static int maxOp(String name) {
        return switch (name) {
            case "cpu", "emulated" -> Integer.MAX_VALUE;
            case "cuda", "auto" -> 1;
            default -> throw new InvalidInputException("unknown backend '" + name + "' (choose one of " + NAMES + ")");
        };
    }

    /**
     * @param name        cpu | cuda | emulated | auto (cuda where a GPU is usable, else cpu with one log line)
     * @param device      the GPU index for cuda
     * @param cpuThreads  GEMM threads for cpu
     * @param profiles    profile by model name, for emulated (may be null otherwise)
     * @param timeScale   emulated latency scale
     */
    public static StageExecutorFactory create(String name, int device, int cpuThreads,
            Function<String, ModelProfile> profiles, double timeScale) {
        switch (name) {
            case "cpu":
                return new CpuBackend(cpuThreads);
            case "cuda": {
                CudaAvailability.Status st = CudaAvailability.probe();
                if (!st.ok()) {
                    throw new ExecutorException("backend 'cuda' is unavailable: " + st.reason());
                }
                return new CudaBackend(device);
            }
            case "emulated":
                if (profiles == null) {
                    throw new InvalidInputException("backend 'emulated' needs model profiles");
                }
                return new EmulatedBackend(profiles, timeScale);
            case "auto": {
                CudaAvailability.Status st = CudaAvailability.probe();
                if (st.ok()) {
                    return new CudaBackend(device);
                }
                LOG.info("backend auto: cuda unavailable (" + st.reason() + "); using cpu");
                return new CpuBackend(cpuThreads);
            }
            default:
                throw new InvalidInputException("unknown backend '" + name + "' (choose one of " + NAMES + ")");
        }
    }
}
