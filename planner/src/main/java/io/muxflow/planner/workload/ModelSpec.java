package io.muxflow.planner.workload;

/**
 * One model of a workload: its name, the profile it runs (many instances may share one profile),
 * and, for generated workloads, its Gamma arrival rate and cv; its SLO in seconds. NaN means "not
 * given".
 */
public record ModelSpec(String name, String profile, double rate, double cv, double sloS) {
    public ModelSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a model needs a name");
        }
        if (profile == null || profile.isBlank()) {
            profile = name;
        }
    }

    public ModelSpec withRate(double r) {
        return new ModelSpec(name, profile, r, cv, sloS);
    }

    public ModelSpec withCv(double c) {
        return new ModelSpec(name, profile, rate, c, sloS);
    }

    public ModelSpec withSlo(double s) {
        return new ModelSpec(name, profile, rate, cv, s);
    }
}
