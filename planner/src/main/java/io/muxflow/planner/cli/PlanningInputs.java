package io.muxflow.planner.cli;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.profile.CostModel;
import io.muxflow.planner.profile.DeviceSpec;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.profile.TransformerShape;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.Workload;
import io.muxflow.planner.workload.WorkloadSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads what the planning commands share: profiles (files, or {@code analytic:DEVICE} for the cost
 * model's profiles of the named transformer shapes), a workload spec, each model's profile, SLOs
 * (from the workload or {@code --slo-scale x} single-device latency) and the generated requests.
 */
public record PlanningInputs(WorkloadSpec spec, List<ModelProfile> profilesByModel, Workload workload) {

    public static ProfileDatabase loadProfiles(String profilesArg) {
        List<Path> files = new ArrayList<>();
        List<ModelProfile> analytic = new ArrayList<>();
        for (String part : profilesArg.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.startsWith("analytic:")) {
                CostModel cm = new CostModel(DeviceSpec.named(p.substring("analytic:".length())));
                TransformerShape.named().values().forEach(s -> analytic.add(cm.profile(s)));
            } else {
                files.add(Path.of(p));
            }
        }
        if (files.isEmpty() && analytic.isEmpty()) {
            throw new InvalidInputException("--profiles: no profile file given");
        }
        ProfileDatabase db = ProfileDatabase.load(files);
        for (ModelProfile p : analytic) {
            if (db.get(p.model()).isEmpty()) {
                db = db.with(p);
            }
        }
        return db;
    }

    public static PlanningInputs load(String profilesArg, Path workloadFile, Double sloScale) {
        return of(loadProfiles(profilesArg), WorkloadSpec.read(workloadFile), sloScale, workloadFile.toString());
    }

    public static PlanningInputs of(ProfileDatabase db, WorkloadSpec spec, Double sloScale, String where) {
        List<ModelProfile> profiles = new ArrayList<>();
        List<ModelSpec> models = new ArrayList<>();
        for (ModelSpec m : spec.models()) {
            ModelProfile p = db.require(m.profile(), where + ": model '" + m.name() + "'");
            profiles.add(p.renamed(m.profile()));
            if (sloScale != null && Double.isNaN(m.sloS())) {
                if (!(sloScale > 0)) {
                    throw new InvalidInputException("--slo-scale must be > 0, got " + sloScale);
                }
                m = m.withSlo(sloScale * p.singleDeviceLatency());
            }
            models.add(m);
        }
        WorkloadSpec withSlos = spec.withModels(models);
        Workload w = withSlos.generate();
        if (w.isEmpty()) {
            throw new InvalidInputException(where + ": the workload has no requests");
        }
        for (ModelSpec m : models) {
            if (Double.isNaN(m.sloS())) {
                // A trace may carry SLOs per request; only complain where some request lacks one.
                int id = w.modelIndex(m.name());
                for (int i = 0; i < w.size(); i++) {
                    if (w.modelId(i) == id && Double.isNaN(w.slo(i))) {
                        throw new InvalidInputException(where + ": model '" + m.name()
                                + "' has no SLO: give slo_s in the workload or use --slo-scale");
                    }
                }
            }
        }
        return new PlanningInputs(withSlos, profiles, w);
    }
}
