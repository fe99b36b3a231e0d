package io.muxflow.planner.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A workload description (ARCHITECTURE.md, "Workload"): generated Gamma arrivals per model, a CSV
 * trace, or a replayed Azure Functions trace, over a list of models.
 *
 * <pre>
 * {"duration_s": 200, "seed": 0, "models": [{"name": "m0", "profile": "bert-1.3b", "rate": 5, "cv": 4, "slo_s": 0.5}]}
 * {"trace": "arrivals.csv", "models": [{"name": "m0", "profile": "bert-1.3b", "slo_s": 0.5}]}
 * {"azure_v2": {"file": "invocations.csv", "start": "0.0.0", "end": "0.1.0", "interval_s": 60,
 *               "rate_scale": 1, "cv_scale": 1}, "models": [...]}
 * </pre>
 *
 * Extensions for long model lists: a model entry with {@code "count": k} stands for models
 * {@code name0 .. name(k-1)}; top-level {@code "total_rate"} (split by a power law with
 * {@code "alpha"}, default 0.5), {@code "cv"} and {@code "slo_s"} apply to models that give none.
 */
public record WorkloadSpec(double durationS, long seed, List<ModelSpec> models, Path trace, Azure azure) {

    /** An Azure Functions trace to replay: year 2019 (per-minute day files) or 2021 (invocation records). */
    public record Azure(int year, List<Path> files, TraceReplay.Spec replay) {
    }

    public WorkloadSpec {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new InvalidInputException("workload: no models");
        }
        Set<String> seen = new HashSet<>();
        for (ModelSpec m : models) {
            if (!seen.add(m.name())) {
                throw new InvalidInputException("workload: model '" + m.name() + "' is listed twice");
            }
        }
        if (trace == null && azure == null) {
            if (!(durationS > 0)) {
                throw new InvalidInputException("workload: duration_s must be > 0 for generated arrivals");
            }
            for (ModelSpec m : models) {
                if (!(m.rate() > 0)) {
                    throw new InvalidInputException("workload: model '" + m.name()
                            + "' needs a positive \"rate\" (or give \"total_rate\")");
                }
                if (!(m.cv() >= 0)) {
                    throw new InvalidInputException("workload: model '" + m.name() + "' needs \"cv\" >= 0");
                }
            }
        }
    }

    public static WorkloadSpec generated(double durationS, long seed, List<ModelSpec> models) {
        return new WorkloadSpec(durationS, seed, models, null, null);
    }

    public List<String> modelNames() {
        return models.stream().map(ModelSpec::name).toList();
    }

    public double[] slos() {
        return models.stream().mapToDouble(ModelSpec::sloS).toArray();
    }

    /** The arrivals this spec describes, with each model's SLO on requests that carry none. */
    public Workload generate() {
        List<String> names = modelNames();
        Workload w;
        if (trace != null) {
            w = TraceCsv.read(trace, names);
        } else if (azure != null) {
            AzureFunctionsTrace t = azure.year() == 2019 ? AzureFunctionsTrace.readV1(azure.files())
                    : AzureFunctionsTrace.readV2(azure.files().get(0));
            w = TraceReplay.replay(t, names, azure.replay());
        } else {
            List<Workload> parts = new ArrayList<>();
            for (int i = 0; i < models.size(); i++) {
                ModelSpec m = models.get(i);
                double[] a = new GammaProcess(m.rate(), m.cv()).generate(0, durationS, seed + i);
                parts.add(Workload.ofModel(names, i, a, Double.NaN));
            }
            w = Workload.merge(names, parts);
        }
        return w.withDefaultSlos(slos());
    }

    public WorkloadSpec withModels(List<ModelSpec> newModels) {
        return new WorkloadSpec(durationS, seed, newModels, trace, azure);
    }

    public static WorkloadSpec read(Path file) {
        Path base = file.toAbsolutePath().getParent();
        return parse(Json.read(file), file.toString(), base);
    }

    public static WorkloadSpec parse(JsonNode root, String where, Path baseDir) {
        if (!root.isObject()) {
            throw new InvalidInputException(where + ": a workload must be a JSON object");
        }
        JsonNode ms = Json.field(root, "models", where);
        if (!ms.isArray() || ms.isEmpty()) {
            throw new InvalidInputException(where + ": \"models\" must be a non-empty array");
        }
        double defCv = Json.number(root, "cv", Double.NaN, where);
        double defSlo = Json.number(root, "slo_s", Double.NaN, where);
        List<ModelSpec> models = new ArrayList<>();
        int i = 0;
        for (JsonNode m : ms) {
            String mw = where + ": models[" + i + "]";
            String name = Json.text(m, "name", mw);
            String profile = m.has("profile") ? Json.text(m, "profile", mw) : name;
            double rate = Json.number(m, "rate", Double.NaN, mw);
            double cv = Json.number(m, "cv", defCv, mw);
            double slo = Json.number(m, "slo_s", defSlo, mw);
            if (!Double.isNaN(slo) && !(slo > 0)) {
                throw new InvalidInputException(mw + ": slo_s must be > 0");
            }
            if (!Double.isNaN(rate) && !(rate > 0)) {
                throw new InvalidInputException(mw + ": rate must be > 0");
            }
            int count = Json.integer(m, "count", 0, mw);
            if (count < 0) {
                throw new InvalidInputException(mw + ": count must be >= 1");
            }
            if (count == 0) {
                models.add(new ModelSpec(name, profile, rate, cv, slo));
            } else {
                for (int k = 0; k < count; k++) {
                    models.add(new ModelSpec(name + k, profile, rate, cv, slo));
                }
            }
            i++;
        }
        if (root.has("total_rate")) {
            double total = Json.number(root, "total_rate", where);
            if (!(total > 0)) {
                throw new InvalidInputException(where + ": total_rate must be > 0");
            }
            double alpha = Json.number(root, "alpha", PowerLaw.DEFAULT_ALPHA, where);
            double[] rates = PowerLaw.split(total, models.size(), alpha);
            for (int k = 0; k < models.size(); k++) {
                if (Double.isNaN(models.get(k).rate())) {
                    models.set(k, models.get(k).withRate(rates[k]));
                }
            }
        }
        for (int k = 0; k < models.size(); k++) {
            if (Double.isNaN(models.get(k).cv())) {
                models.set(k, models.get(k).withCv(1.0));
            }
        }
        Path trace = null;
        Azure azure = null;
        if (root.has("trace")) {
            trace = resolve(baseDir, Json.text(root, "trace", where));
        }
        for (String key : new String[] {"azure_v1", "azure_v2"}) {
            if (root.has(key)) {
                JsonNode a = root.get(key);
                String aw = where + ": " + key;
                int year = key.equals("azure_v1") ? 2019 : 2021;
                List<Path> files = new ArrayList<>();
                if (a.has("files")) {
                    for (JsonNode f : a.get("files")) {
                        files.add(resolve(baseDir, f.asText()));
                    }
                } else {
                    files.add(resolve(baseDir, Json.text(a, "file", aw)));
                }
                String start = a.has("start") ? a.get("start").asText() : "0";
                String end = Json.field(a, "end", aw).asText();
                TraceReplay.Spec spec = new TraceReplay.Spec(TraceReplay.parseTime(start), TraceReplay.parseTime(end),
                        Json.number(a, "interval_s", 60, aw), Json.number(a, "rate_scale", 1, aw),
                        Json.number(a, "cv_scale", 1, aw), (long) Json.number(root, "seed", 0, where));
                azure = new Azure(year, files, spec);
            }
        }
        double duration = Json.number(root, "duration_s", Double.NaN, where);
        long seed = (long) Json.number(root, "seed", 0, where);
        try {
            return new WorkloadSpec(duration, seed, models, trace, azure);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(where + ": " + e.getMessage().replaceFirst("^workload: ", ""));
        }
    }

    private static Path resolve(Path base, String p) {
        Path path = Path.of(p);
        return path.isAbsolute() || base == null ? path : base.resolve(path);
    }

    public JsonNode toJson() {
        ObjectNode o = Json.object();
        if (trace != null) {
            o.put("trace", trace.toString());
        } else if (azure == null) {
            o.put("duration_s", durationS);
        }
        o.put("seed", seed);
        ArrayNode arr = o.putArray("models");
        for (ModelSpec m : models) {
            ObjectNode mo = arr.addObject();
            mo.put("name", m.name());
            mo.put("profile", m.profile());
            if (!Double.isNaN(m.rate())) {
                mo.put("rate", m.rate());
            }
            if (!Double.isNaN(m.cv())) {
                mo.put("cv", m.cv());
            }
            if (!Double.isNaN(m.sloS())) {
                mo.put("slo_s", m.sloS());
            }
        }
        return o;
    }
}
