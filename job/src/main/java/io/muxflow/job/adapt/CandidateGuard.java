package io.muxflow.job.adapt;

import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.sim.SimResult;
import io.muxflow.planner.sim.Simulation;
import io.muxflow.planner.workload.Workload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adaptation never abandons a model: before a candidate plan can be deployed, every model with
 * traffic in the recent window must keep at least one replica, and no such model may be predicted to
 * lose more than the dead band of attainment. AlpaServe's search maximizes the total; under a burst
 * far beyond capacity the total is best served by giving a bursty model the devices of a quiet one,
 * which would leave the quiet model with nothing (seen: a third model REJECTED for 47 s of normal
 * load after such a redeploy).
 */
public final class CandidateGuard {
    private CandidateGuard() {
    }

    /** Why {@code candidate} may not replace {@code current} on workload {@code w}, or null when it may. */
    public static String refusal(Plan current, Plan candidate, Workload w, List<ModelProfile> profiles, SimOptions sim,
            double deadBand) {
        int[] requests = new int[w.models().size()];
        for (int i = 0; i < w.size(); i++) {
            requests[w.modelId(i)]++;
        }
        java.util.Set<String> hosted = candidate.models();
        for (int m = 0; m < requests.length; m++) {
            String name = w.models().get(m);
            if (requests[m] > 0 && !hosted.contains(name)) {
                return "it would abandon model '" + name + "' (" + requests[m] + " requests in the window): no group of "
                        + "the candidate serves it";
            }
        }
        Map<String, Double> before = perModel(new Simulation(w, profiles, sim).run(current));
        Map<String, Double> after = perModel(new Simulation(w, profiles, sim).run(candidate));
        for (int m = 0; m < requests.length; m++) {
            String name = w.models().get(m);
            if (requests[m] == 0) {
                continue;
            }
            double b = before.getOrDefault(name, Double.NaN);
            double a = after.getOrDefault(name, Double.NaN);
            if (!Double.isNaN(b) && !Double.isNaN(a) && b - a > deadBand) {
                return String.format("it would cost model '%s' attainment %.3f -> %.3f (more than the dead band of %.3f)",
                        name, b, a, deadBand);
            }
        }
        return null;
    }

    private static Map<String, Double> perModel(SimResult r) {
        Map<String, Double> out = new HashMap<>();
        r.perModel().forEach(m -> out.put(m.model(), m.attainment()));
        return out;
    }
}
