package io.muxflow.planner.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.profile.ParallelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A placement plan in the versioned JSON form of ARCHITECTURE.md ("Plan"), naming models by name:
 * groups (id, devices, op, pp, models), optional time segments (the {@code clockwork++} baseline),
 * and what the planner predicted for it. Optional {@code model_profiles} maps a model instance to the
 * profile it runs (absent: the model's own name), so a plan can be served without its workload file.
 * Optional {@code chains} lists decoder LLMs served as server chains ({@link ChainDeployment}), beside
 * the groups.
 */
public record Plan(int version, String policy, List<Group> groups, List<Segment> segments,
        double predictedAttainment, Map<String, Double> predictedPerModel, Map<String, String> modelProfiles,
        List<ChainDeployment> chains) {

    /** One device group: {@code devices = dp x op x pp}. */
    public record Group(int id, int devices, int op, int pp, List<String> models) {
        public Group {
            models = List.copyOf(models);
            if (op < 1 || pp < 1 || devices < op * pp || devices % (op * pp) != 0) {
                throw new InvalidInputException("group " + id + ": devices (" + devices
                        + ") must be a positive multiple of op x pp (" + op + " x " + pp + ")");
            }
            if (new HashSet<>(models).size() != models.size()) {
                throw new InvalidInputException("group " + id + " lists a model twice: " + models);
            }
        }

        public ParallelConfig config() {
            return new ParallelConfig(devices / (op * pp), op, pp);
        }
    }

    /** Groups that serve the arrivals after {@code startS}, starting from idle devices. */
    public record Segment(double startS, List<Group> groups) {
        public Segment {
            groups = List.copyOf(groups);
        }
    }

    /** A plan without chains. */
    public Plan(int version, String policy, List<Group> groups, List<Segment> segments, double predictedAttainment,
            Map<String, Double> predictedPerModel, Map<String, String> modelProfiles) {
        this(version, policy, groups, segments, predictedAttainment, predictedPerModel, modelProfiles, List.of());
    }

    public Plan {
        groups = List.copyOf(groups);
        chains = chains == null ? List.of() : List.copyOf(chains);
        segments = segments == null ? List.of() : List.copyOf(segments);
        predictedPerModel = predictedPerModel == null ? Map.of() : Map.copyOf(predictedPerModel);
        modelProfiles = modelProfiles == null ? Map.of() : Map.copyOf(modelProfiles);
        if (version < 0) {
            throw new InvalidInputException("plan version must be >= 0");
        }
        checkIds(groups, "plan");
        for (Group g : groups) {
            g.models().forEach(m -> checkName(m, "model"));
        }
        for (Segment seg : segments) {
            seg.groups().forEach(g -> g.models().forEach(m -> checkName(m, "model")));
        }
        modelProfiles.forEach((m, p) -> {
            checkName(m, "model");
            checkName(p, "profile");
        });
        for (ChainDeployment c : chains) {
            checkName(c.model(), "model");
            checkName(c.profile(), "profile");
        }
        Set<String> llms = new HashSet<>();
        for (ChainDeployment c : chains) {
            if (!llms.add(c.model())) {
                throw new InvalidInputException("plan: chains list model '" + c.model() + "' twice");
            }
        }
        for (Segment s : segments) {
            checkIds(s.groups(), "segment at " + s.startS() + " s");
        }
    }

    /** What a model or profile name may be: a name, never a path (profiles become model-store files). */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

    /** Checks that {@code name} is a plain name; a plan from a topic or a file must not name paths. */
    public static String checkName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new InvalidInputException("plan: " + what + " name '" + name + "' is not a name (letters, digits, "
                    + "'.', '_', '+', '-'; no '..', no '/'; at most 128 characters)");
        }
        return name;
    }

    private static void checkIds(List<Group> groups, String where) {
        Set<Integer> ids = new HashSet<>();
        for (Group g : groups) {
            if (!ids.add(g.id())) {
                throw new InvalidInputException(where + ": group id " + g.id() + " is used twice");
            }
        }
    }

    public static Plan of(Placement p, List<String> modelNames, String policy, int version) {
        return new Plan(version, policy, groupsOf(p, modelNames), List.of(), Double.NaN, Map.of(), Map.of());
    }

    public static List<Group> groupsOf(Placement p, List<String> modelNames) {
        List<Group> groups = new ArrayList<>();
        for (int g = 0; g < p.numGroups(); g++) {
            List<String> names = new ArrayList<>();
            for (int m : p.modelsOf(g)) {
                names.add(modelNames.get(m));
            }
            ParallelConfig c = p.config(g);
            groups.add(new Group(g, c.devices(), c.op(), c.pp(), names));
        }
        return groups;
    }

    public boolean timeVarying() {
        return !segments.isEmpty();
    }

    /** Devices the plan uses (the largest segment for a time-varying plan). */
    public int devices() {
        int d = groups.stream().mapToInt(Group::devices).sum();
        for (Segment s : segments) {
            d = Math.max(d, s.groups().stream().mapToInt(Group::devices).sum());
        }
        return d;
    }

    /** All model names the plan serves. */
    public Set<String> models() {
        Set<String> s = new java.util.TreeSet<>();
        groups.forEach(g -> s.addAll(g.models()));
        segments.forEach(seg -> seg.groups().forEach(g -> s.addAll(g.models())));
        return s;
    }

    /** The profile a model runs: {@code model_profiles[model]}, else the model's own name. */
    public String profileOf(String model) {
        return modelProfiles.getOrDefault(model, model);
    }

    public Placement placement(List<String> modelNames) {
        return toPlacement(groups, modelNames, "plan");
    }

    public List<Double> segmentStarts() {
        return segments.stream().map(Segment::startS).toList();
    }

    public List<Placement> segmentPlacements(List<String> modelNames) {
        List<Placement> out = new ArrayList<>();
        for (Segment s : segments) {
            out.add(toPlacement(s.groups(), modelNames, "segment at " + s.startS() + " s"));
        }
        return out;
    }

    private static Placement toPlacement(List<Group> groups, List<String> modelNames, String where) {
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < modelNames.size(); i++) {
            idx.put(modelNames.get(i), i);
        }
        List<ParallelConfig> configs = new ArrayList<>();
        List<int[]> models = new ArrayList<>();
        for (Group g : groups) {
            configs.add(g.config());
            int[] m = new int[g.models().size()];
            for (int i = 0; i < m.length; i++) {
                Integer id = idx.get(g.models().get(i));
                if (id == null) {
                    throw new InvalidInputException(where + ": group " + g.id() + " serves model '"
                            + g.models().get(i) + "', which the workload does not have (models: " + modelNames + ")");
                }
                m[i] = id;
            }
            models.add(m);
        }
        return new Placement(configs, models);
    }

    public Plan withPredicted(double attainment, Map<String, Double> perModel) {
        return new Plan(version, policy, groups, segments, attainment, perModel, modelProfiles, chains);
    }

    public Plan withVersion(int v) {
        return new Plan(v, policy, groups, segments, predictedAttainment, predictedPerModel, modelProfiles, chains);
    }

    public Plan withModelProfiles(Map<String, String> profiles) {
        return new Plan(version, policy, groups, segments, predictedAttainment, predictedPerModel, profiles, chains);
    }

    public Plan withSegments(List<Segment> segs) {
        return new Plan(version, policy, groups, segs, predictedAttainment, predictedPerModel, modelProfiles, chains);
    }

    public Plan withChains(List<ChainDeployment> c) {
        return new Plan(version, policy, groups, segments, predictedAttainment, predictedPerModel, modelProfiles, c);
    }

    /** The chain section of LLM {@code model}, or null. */
    public ChainDeployment chain(String model) {
        for (ChainDeployment c : chains) {
            if (c.model().equals(model)) {
                return c;
            }
        }
        return null;
    }

    // ---- JSON ----

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("version", version);
        o.put("policy", policy);
        writeGroups(o.putArray("groups"), groups);
        if (!segments.isEmpty()) {
            ArrayNode segs = o.putArray("segments");
            for (Segment s : segments) {
                ObjectNode so = segs.addObject();
                so.put("start_s", s.startS());
                writeGroups(so.putArray("groups"), s.groups());
            }
        }
        if (!modelProfiles.isEmpty()) {
            ObjectNode mp = o.putObject("model_profiles");
            new java.util.TreeMap<>(modelProfiles).forEach(mp::put);
        }
        if (!chains.isEmpty()) {
            ArrayNode ch = o.putArray("chains");
            chains.forEach(c -> ch.add(c.toJson()));
        }
        ObjectNode pred = o.putObject("predicted");
        if (!Double.isNaN(predictedAttainment)) {
            pred.put("attainment", predictedAttainment);
        }
        if (!predictedPerModel.isEmpty()) {
            ObjectNode pm = pred.putObject("per_model");
            new java.util.TreeMap<>(predictedPerModel).forEach(pm::put);
        }
        return o;
    }

    private static void writeGroups(ArrayNode arr, List<Group> groups) {
        for (Group g : groups) {
            ObjectNode go = arr.addObject();
            go.put("id", g.id());
            go.put("devices", g.devices());
            go.put("op", g.op());
            go.put("pp", g.pp());
            ArrayNode ms = go.putArray("models");
            g.models().forEach(ms::add);
        }
    }

    public void write(Path file) {
        Json.write(file, toJson());
    }

    public static Plan read(Path file) {
        return parse(Json.read(file), file.toString());
    }

    public static Plan parse(JsonNode root, String where) {
        try {
            if (!root.isObject()) {
                throw new InvalidInputException("a plan must be a JSON object");
            }
            int version = Json.integer(root, "version", 0, where);
            String policy = root.has("policy") ? root.get("policy").asText() : "unknown";
            List<Group> groups = readGroups(Json.field(root, "groups", where), where);
            List<Segment> segments = new ArrayList<>();
            if (root.has("segments")) {
                int i = 0;
                for (JsonNode s : root.get("segments")) {
                    String sw = where + ": segments[" + i++ + "]";
                    segments.add(new Segment(Json.number(s, "start_s", sw), readGroups(Json.field(s, "groups", sw), sw)));
                }
            }
            double att = Double.NaN;
            Map<String, Double> per = new LinkedHashMap<>();
            JsonNode pred = root.get("predicted");
            if (pred != null && pred.isObject()) {
                att = Json.number(pred, "attainment", Double.NaN, where + ": predicted");
                JsonNode pm = pred.get("per_model");
                if (pm != null && pm.isObject()) {
                    Iterator<Map.Entry<String, JsonNode>> it = pm.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        per.put(e.getKey(), e.getValue().asDouble());
                    }
                }
            }
            Map<String, String> profiles = new LinkedHashMap<>();
            JsonNode mp = root.get("model_profiles");
            if (mp != null && mp.isObject()) {
                mp.fields().forEachRemaining(e -> profiles.put(e.getKey(), e.getValue().asText()));
            }
            List<ChainDeployment> chains = new ArrayList<>();
            JsonNode ch = root.get("chains");
            if (ch != null) {
                if (!ch.isArray()) {
                    throw new InvalidInputException(where + ": \"chains\" must be an array");
                }
                for (int i = 0; i < ch.size(); i++) {
                    chains.add(ChainDeployment.parse(ch.get(i), where + ": chains[" + i + "]"));
                }
            }
            return new Plan(version, policy, groups, segments, att, per, profiles, chains);
        } catch (InvalidInputException e) {
            if (e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new InvalidInputException(where + ": " + e.getMessage());
        }
    }

    private static List<Group> readGroups(JsonNode arr, String where) {
        if (!arr.isArray()) {
            throw new InvalidInputException(where + ": \"groups\" must be an array");
        }
        List<Group> out = new ArrayList<>();
        int i = 0;
        for (JsonNode g : arr) {
            String gw = where + ": groups[" + i + "]";
            int op = Json.integer(g, "op", 1, gw);
            int pp = Json.integer(g, "pp", gw);
            int devices = Json.integer(g, "devices", op * pp, gw);
            List<String> models = new ArrayList<>();
            JsonNode ms = Json.field(g, "models", gw);
            if (!ms.isArray()) {
                throw new InvalidInputException(gw + ": \"models\" must be an array of model names");
            }
            ms.forEach(m -> models.add(m.asText()));
            out.add(new Group(Json.integer(g, "id", i, gw), devices, op, pp, models));
            i++;
        }
        return out;
    }
}
