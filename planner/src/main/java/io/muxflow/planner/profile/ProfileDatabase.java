package io.muxflow.planner.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A set of model profiles, read from and written to the profile JSON format of ARCHITECTURE.md:
 * either a database {@code {"models": [profile, ...]}} or a single profile object. Unknown keys are
 * ignored so tools may add their own; what is read is validated (stage counts match pp, latencies
 * positive) and errors name the file, the model and the config.
 */
public final class ProfileDatabase {
    private final Map<String, ModelProfile> profiles;

    public ProfileDatabase(Collection<ModelProfile> profiles) {
        Map<String, ModelProfile> m = new LinkedHashMap<>();
        for (ModelProfile p : profiles) {
            if (m.put(p.model(), p) != null) {
                throw new InvalidInputException("profile '" + p.model() + "' is given twice");
            }
        }
        this.profiles = m;
    }

    public static ProfileDatabase load(Path... files) {
        return load(List.of(files));
    }

    public static ProfileDatabase load(List<Path> files) {
        List<ModelProfile> all = new ArrayList<>();
        for (Path f : files) {
            all.addAll(parse(Json.read(f), f.toString()));
        }
        try {
            return new ProfileDatabase(all);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(files + ": " + e.getMessage());
        }
    }

    public static List<ModelProfile> parse(JsonNode root, String where) {
        List<ModelProfile> out = new ArrayList<>();
        if (root.has("models")) {
            JsonNode models = root.get("models");
            if (!models.isArray()) {
                throw new InvalidInputException(where + ": \"models\" must be an array of profiles");
            }
            int i = 0;
            for (JsonNode p : models) {
                out.add(parseProfile(p, where + ": models[" + i + "]"));
                i++;
            }
        } else if (root.has("model")) {
            out.add(parseProfile(root, where));
        } else {
            throw new InvalidInputException(where
                    + ": not a profile file (expected {\"models\": [...]} or {\"model\": ..., \"configs\": [...]})");
        }
        return out;
    }

    static ModelProfile parseProfile(JsonNode p, String where) {
        String name = Json.text(p, "model", where);
        String here = where + " (model '" + name + "')";
        JsonNode configs = Json.field(p, "configs", here);
        if (!configs.isArray() || configs.isEmpty()) {
            throw new InvalidInputException(here + ": \"configs\" must be a non-empty array");
        }
        List<ConfigProfile> list = new ArrayList<>();
        int i = 0;
        for (JsonNode c : configs) {
            String cw = here + " configs[" + i + "]";
            int dp = Json.integer(c, "dp", 1, cw);
            int op = Json.integer(c, "op", 1, cw);
            int pp = Json.integer(c, "pp", cw);
            try {
                ParallelConfig pc = new ParallelConfig(dp, op, pp);
                Map<Integer, double[]> lat = readBatchMap(Json.field(c, "latency_s", cw), cw + " latency_s");
                long[] weights = readLongs(Json.field(c, "weight_bytes", cw), cw + " weight_bytes");
                Map<Integer, long[]> act = new TreeMap<>();
                JsonNode actNode = c.get("act_bytes");
                if (actNode != null && !actNode.isNull()) {
                    Map<Integer, double[]> raw = readBatchMap(actNode, cw + " act_bytes");
                    raw.forEach((b, v) -> {
                        long[] l = new long[v.length];
                        for (int k = 0; k < v.length; k++) {
                            l[k] = Math.round(v[k]);
                        }
                        act.put(b, l);
                    });
                }
                list.add(new ConfigProfile(pc, lat, weights, act));
            } catch (IllegalArgumentException e) {
                if (e instanceof InvalidInputException) {
                    throw e;
                }
                throw new InvalidInputException(cw + ": " + e.getMessage());
            }
            i++;
        }
        try {
            return new ModelProfile(name, list);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(where + ": " + e.getMessage());
        }
    }

    private static Map<Integer, double[]> readBatchMap(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new InvalidInputException(where + ": must be an object keyed by batch size");
        }
        Map<Integer, double[]> out = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            int batch;
            try {
                batch = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException ex) {
                throw new InvalidInputException(where + ": key \"" + e.getKey() + "\" is not a batch size");
            }
            out.put(batch, readDoubles(e.getValue(), where + "[" + e.getKey() + "]"));
        }
        return out;
    }

    private static double[] readDoubles(JsonNode arr, String where) {
        if (!arr.isArray()) {
            throw new InvalidInputException(where + ": must be an array of numbers");
        }
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = arr.get(i);
            if (!v.isNumber()) {
                throw new InvalidInputException(where + "[" + i + "]: must be a number");
            }
            out[i] = v.asDouble();
        }
        return out;
    }

    private static long[] readLongs(JsonNode arr, String where) {
        double[] d = readDoubles(arr, where);
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(d[i])) {
                throw new InvalidInputException(where + "[" + i + "]: must be finite");
            }
            out[i] = Math.round(d[i]);
        }
        return out;
    }

    public Optional<ModelProfile> get(String name) {
        return Optional.ofNullable(profiles.get(name));
    }

    public ModelProfile require(String name, String usedBy) {
        ModelProfile p = profiles.get(name);
        if (p == null) {
            throw new InvalidInputException(usedBy + ": no profile named '" + name + "' (profiles loaded: "
                    + String.join(", ", profiles.keySet()) + ")");
        }
        return p;
    }

    public Collection<ModelProfile> all() {
        return profiles.values();
    }

    public int size() {
        return profiles.size();
    }

    public ProfileDatabase with(ModelProfile extra) {
        List<ModelProfile> l = new ArrayList<>(profiles.values());
        l.removeIf(p -> p.model().equals(extra.model()));
        l.add(extra);
        return new ProfileDatabase(l);
    }

    public JsonNode toJson() {
        ObjectNode root = Json.object();
        ArrayNode arr = root.putArray("models");
        for (ModelProfile p : profiles.values()) {
            arr.add(toJson(p));
        }
        return root;
    }

    public static ObjectNode toJson(ModelProfile p) {
        ObjectNode o = Json.object();
        o.put("model", p.model());
        ArrayNode cs = o.putArray("configs");
        for (ConfigProfile c : p.configs()) {
            ObjectNode co = cs.addObject();
            co.put("dp", c.config().dp());
            co.put("op", c.config().op());
            co.put("pp", c.config().pp());
            ObjectNode lat = co.putObject("latency_s");
            c.latencies().forEach((b, v) -> {
                ArrayNode a = lat.putArray(Integer.toString(b));
                for (double x : v) {
                    a.add(x);
                }
            });
            ArrayNode w = co.putArray("weight_bytes");
            for (long x : c.weightBytes()) {
                w.add(x);
            }
            ObjectNode act = co.putObject("act_bytes");
            c.actBytes().forEach((b, v) -> {
                ArrayNode a = act.putArray(Integer.toString(b));
                for (long x : v) {
                    a.add(x);
                }
            });
        }
        return o;
    }

    public void write(Path file) {
        Json.write(file, toJson());
    }
}
