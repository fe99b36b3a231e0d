package io.muxflow.planner.placement;

import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.sim.SimResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** Attaches what the simulator predicts for a plan on the problem's workload. */
public final class Plans {
    private Plans() {
    }

    public static Plan withPrediction(Plan plan, PlacementProblem problem) {
        SimResult r = problem.simulation().run(plan);
        Map<String, Double> per = new LinkedHashMap<>();
        r.perModel().forEach(m -> per.put(m.model(), m.attainment()));
        Map<String, String> profiles = new LinkedHashMap<>();
        for (int m = 0; m < problem.numModels(); m++) {
            String profile = problem.profiles().get(m).model();
            if (!profile.equals(problem.models().get(m))) {
                profiles.put(problem.models().get(m), profile);
            }
        }
        return plan.withPredicted(r.attainment(), per).withModelProfiles(profiles);
    }
}
