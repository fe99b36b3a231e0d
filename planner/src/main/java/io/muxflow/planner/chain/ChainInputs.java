package io.muxflow.planner.chain;

import com.fasterxml.jackson.databind.JsonNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The inputs of {@code muxflow chain}: a model (a built-in name or a JSON file) and servers (a JSON
 * file, or {@code paper:J,ETA} for the paper's mix of J servers, a fraction ETA of them fast), turned
 * into a {@link ChainInstance} for jobs of l_in prompt and l_out generated tokens; {@code geo:J,ETA,SEED}
 * is the same mix with per-server round trips of a wide-area network ({@link GeoServers}).
 *
 * <p>Model file: {@code {"name", "blocks", "block_gb", "d_model", "params_per_block"?, "kv_bytes"?,
 * "cache_gb_per_block"?, "l_in"?, "l_out"?}}. Servers file: {@code {"servers": [entry, ...]}} where an
 * entry has {@code "memory_gb"}, optional {@code "name"} and {@code "count"}, and either a device
 * ({@code "tflops", "bandwidth_gb_per_ms", "rtt_ms"?, "network_gbps"?}) or measured times
 * ({@code "tau_c_ms", "tau_p_ms"}).
 */
public record ChainInputs(ChainInstance instance, int lIn, int lOut) {
    public static final int DEFAULT_L_IN = 2000;
    public static final int DEFAULT_L_OUT = 20;
    /** RTT of the paper-mix servers, ms. */
    public static final double PAPER_RTT_MS = 10;

    public static ChainInputs load(String model, String servers, Integer lIn, Integer lOut) {
        Model m = readModel(model);
        int in = lIn != null ? lIn : m.lIn;
        int out = lOut != null ? lOut : m.lOut;
        if (in < 1 || out < 1) {
            throw new InvalidInputException("--l-in and --l-out must be >= 1, got " + in + " and " + out);
        }
        ChainModel cm = m.cacheGb != null
                ? new ChainModel(m.shape.name(), m.shape.blocks(), m.shape.blockGb(), m.cacheGb)
                : ChainCostModel.model(m.shape, in, out);
        return new ChainInputs(new ChainInstance(cm, readServers(servers, m, in, out)), in, out);
    }

    /** hasFlops: whether the shape gives d_model or params_per_block, which device-described servers need. */
    private record Model(LlmShape shape, Double cacheGb, int lIn, int lOut, boolean hasFlops) {
    }

    private static Model readModel(String arg) {
        Path file = Path.of(arg);
        if (!Files.exists(file) && LlmShape.builtinNames().contains(arg.toLowerCase(Locale.ROOT))) {
            return new Model(LlmShape.builtin(arg), null, DEFAULT_L_IN, DEFAULT_L_OUT, true);
        }
        if (!Files.exists(file)) {
            throw new InvalidInputException("--model " + arg + ": no such file, and not a built-in model "
                    + LlmShape.builtinNames());
        }
        JsonNode n = Json.read(file);
        String where = file.toString();
        String name = n.has("name") ? Json.text(n, "name", where) : file.getFileName().toString();
        int blocks = Json.integer(n, "blocks", where);
        double blockGb = Json.number(n, "block_gb", where);
        int dModel = Json.integer(n, "d_model", 1, where);
        double params = Json.number(n, "params_per_block", 12.0 * dModel * dModel, where);
        int kvBytes = Json.integer(n, "kv_bytes", 2, where);
        Double cache = n.has("cache_gb_per_block") ? Json.number(n, "cache_gb_per_block", where) : null;
        if (cache == null && !n.has("d_model")) {
            throw new InvalidInputException(where + ": give \"d_model\" (to size the KV cache) or \"cache_gb_per_block\"");
        }
        return new Model(new LlmShape(name, blocks, blockGb, dModel, params, kvBytes), cache,
                Json.integer(n, "l_in", DEFAULT_L_IN, where), Json.integer(n, "l_out", DEFAULT_L_OUT, where),
                n.has("d_model") || n.has("params_per_block"));
    }

    /** The paper's simulation mix: round(eta J) fast 40 GB servers, the rest slow 20 GB ones. */
    public static List<ServerSpec> paperMix(int servers, double eta, LlmShape llm, int lIn, int lOut) {
        if (servers < 1 || !(eta >= 0) || eta > 1) {
            throw new InvalidInputException("paper:J,ETA needs J >= 1 and 0 <= ETA <= 1, got " + servers + "," + eta);
        }
        int fast = (int) Math.round(eta * servers);
        List<ServerSpec> out = new ArrayList<>();
        for (int j = 0; j < servers; j++) {
            ChainDevice d = j < fast ? ChainDevice.fast(PAPER_RTT_MS) : ChainDevice.slow(PAPER_RTT_MS);
            out.add(ChainCostModel.server(j, d.name() + "-" + j, d, llm, lIn, lOut));
        }
        return out;
    }

    private static List<ServerSpec> readServers(String arg, Model model, int lIn, int lOut) {
        LlmShape llm = model.shape;
        if (arg.startsWith("geo:")) {
            if (!model.hasFlops) {
                throw new InvalidInputException("--servers " + arg + ": the model must give d_model or "
                        + "params_per_block to cost device-described servers");
            }
            String[] f = arg.substring(4).split(",");
            try {
                if (f.length != 3) {
                    throw new NumberFormatException();
                }
                return GeoServers.mix(Integer.parseInt(f[0].trim()), Double.parseDouble(f[1].trim()),
                        Long.parseLong(f[2].trim()), llm, lIn, lOut);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--servers " + arg + ": expected geo:J,ETA,SEED such as geo:20,0.2,1");
            }
        }
        if (arg.startsWith("paper:")) {
            if (!model.hasFlops) {
                throw new InvalidInputException("--servers " + arg + ": the model must give d_model or "
                        + "params_per_block to cost device-described servers");
            }
            String[] f = arg.substring(6).split(",");
            try {
                if (f.length != 2) {
                    throw new NumberFormatException();
                }
                return paperMix(Integer.parseInt(f[0].trim()), Double.parseDouble(f[1].trim()), llm, lIn, lOut);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--servers " + arg + ": expected paper:J,ETA such as paper:20,0.2");
            }
        }
        Path file = Path.of(arg);
        JsonNode root = Json.read(file);
        JsonNode list = root.isArray() ? root : Json.field(root, "servers", file.toString());
        if (!list.isArray() || list.isEmpty()) {
            throw new InvalidInputException(file + ": \"servers\" must be a non-empty array");
        }
        List<ServerSpec> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String where = file + ": servers[" + i + "]";
            String name = e.has("name") ? Json.text(e, "name", where) : "server";
            int count = Json.integer(e, "count", 1, where);
            if (count < 1) {
                throw new InvalidInputException(where + ": count must be >= 1");
            }
            double mem = Json.number(e, "memory_gb", where);
            boolean measured = e.has("tau_c_ms") || e.has("tau_p_ms");
            boolean device = e.has("tflops") || e.has("bandwidth_gb_per_ms");
            if (measured == device) {
                throw new InvalidInputException(where + ": give either tau_c_ms and tau_p_ms, or tflops and "
                        + "bandwidth_gb_per_ms");
            }
            for (int k = 0; k < count; k++) {
                int id = out.size();
                String n = count == 1 ? name : name + "-" + k;
                if (measured) {
                    out.add(new ServerSpec(id, n, mem, Json.number(e, "tau_c_ms", where) / 1e3,
                            Json.number(e, "tau_p_ms", where) / 1e3));
                } else {
                    if (!model.hasFlops) {
                        throw new InvalidInputException(where + ": a device-described server needs the model's "
                                + "d_model or params_per_block; give them, or tau_c_ms and tau_p_ms");
                    }
                    ChainDevice d = new ChainDevice(n, mem, Json.number(e, "tflops", where),
                            Json.number(e, "bandwidth_gb_per_ms", where), Json.number(e, "rtt_ms", 0, where),
                            Json.number(e, "network_gbps", 0, where));
                    out.add(ChainCostModel.server(id, n, d, llm, lIn, lOut));
                }
            }
        }
        return out;
    }
}
