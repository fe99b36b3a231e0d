package io.muxflow.planner.placement;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import io.muxflow.planner.sim.LatencyTable;
import io.muxflow.planner.sim.Score;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.sim.Simulation;
import io.muxflow.planner.workload.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * What a placement search works on: the models (with their profiles, by index), the workload it
 * expects (every request with an SLO), the cluster, and the simulator that scores candidates.
 */
public final class PlacementProblem {
    private final List<String> models;
    private final List<ModelProfile> profiles;
    private final Workload workload;
    private final Cluster cluster;
    private final SearchOptions search;
    private final Simulation simulation;

    public PlacementProblem(List<ModelProfile> profilesByModel, Workload workload, Cluster cluster,
            SimOptions simOptions, SearchOptions search) {
        this(profilesByModel, workload, cluster, simOptions, search, true);
    }

    private PlacementProblem(List<ModelProfile> profilesByModel, Workload workload, Cluster cluster,
            SimOptions simOptions, SearchOptions search, boolean validate) {
        this(profilesByModel, workload, cluster, simOptions, search, validate, null);
    }

    private PlacementProblem(List<ModelProfile> profilesByModel, Workload workload, Cluster cluster,
            SimOptions simOptions, SearchOptions search, boolean validate, Simulation shared) {
        this.models = workload.models();
        if (profilesByModel.size() != models.size()) {
            throw new IllegalArgumentException("one profile per workload model is required");
        }
        if (validate && workload.isEmpty()) {
            throw new InvalidInputException("the workload is empty: nothing to plan for");
        }
        for (int i = 0; i < workload.size(); i++) {
            if (Double.isNaN(workload.slo(i))) {
                throw new InvalidInputException("model '" + workload.model(i)
                        + "' has no SLO: give slo_s in the workload or use --slo-scale");
            }
        }
        this.profiles = List.copyOf(profilesByModel);
        this.workload = workload;
        this.cluster = cluster;
        this.search = search;
        this.simulation = shared != null ? shared : new Simulation(workload, profiles, simOptions);
        if (validate) {
            for (int m = 0; m < models.size(); m++) {
                checkFits(m);
            }
        }
    }

    private void checkFits(int m) {
        for (ConfigProfile c : profiles.get(m).configs()) {
            if (c.config().devices() <= cluster.devices() && c.maxStageWeightBytes() <= cluster.memBudgetBytes()) {
                return;
            }
        }
        throw new InvalidInputException("model '" + models.get(m) + "' (profile '" + profiles.get(m).model()
                + "') fits no group: every profiled configuration needs more than " + cluster.devices()
                + " devices or more than " + cluster.memBudgetBytes() + " bytes per device");
    }

    public List<String> models() {
        return models;
    }

    public int numModels() {
        return models.size();
    }

    public List<ModelProfile> profiles() {
        return profiles;
    }

    public Workload workload() {
        return workload;
    }

    public Cluster cluster() {
        return cluster;
    }

    public SearchOptions search() {
        return search;
    }

    public Simulation simulation() {
        return simulation;
    }

    public LatencyTable table() {
        return simulation.table();
    }

    public Score score(Placement p) {
        return simulation.score(p);
    }

    /** Memory of group g's models under its config (saturating at {@link Long#MAX_VALUE}). */
    public long groupMemory(Placement p, int g) {
        long[] mem = table().memoryAll(p.config(g));
        long sum = 0;
        for (int m : p.modelsOf(g)) {
            if (mem[m] == Long.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
            sum += mem[m];
        }
        return sum;
    }

    /** Whether model m can join group g: not there yet, profiled under the group's config, fits. */
    public boolean fits(Placement p, int g, int m, long groupMemory) {
        long w = table().memory(p.config(g), m);
        return w != Long.MAX_VALUE && !p.hosts(g, m) && groupMemory + w <= cluster.memBudgetBytes();
    }

    /** Mean arrival rate of each model over the workload's span. */
    public double[] rates() {
        int[] counts = workload.countsPerModel();
        double span = Math.max(workload.span(), 1e-9);
        double[] r = new double[counts.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = counts[i] / span;
        }
        return r;
    }

    /** Simulations of restricted problems by their models: one per bucket, shared by its device counts. */
    private final java.util.concurrent.ConcurrentHashMap<List<Integer>, Simulation> restricted =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The same problem restricted to some models (their requests only) and a number of devices. The
     * restrictions to the same models share one simulation (the same workload and profiles), so its
     * memoized scores serve every device count the search tries for them.
     */
    public PlacementProblem restrict(int[] modelIdx, int devices) {
        List<ModelProfile> ps = new ArrayList<>();
        for (int m : modelIdx) {
            ps.add(profiles.get(m));
        }
        Simulation sim = restricted.computeIfAbsent(java.util.Arrays.stream(modelIdx).boxed().toList(),
                k -> new Simulation(restrictedWorkload(modelIdx), ps, simulation.options()));
        // Sub-problems skip the fit check: a bucket may get too few devices for some model, which
        // then simply stays unserved in that split.
        return new PlacementProblem(ps, sim.workload(), cluster.withDevices(devices), simulation.options(), search,
                false, sim);
    }

    /** The workload's requests of some models only, the models renumbered in the order given. */
    private Workload restrictedWorkload(int[] modelIdx) {
        List<String> names = new ArrayList<>();
        boolean[] keep = new boolean[models.size()];
        int[] map = new int[models.size()];
        for (int k = 0; k < modelIdx.length; k++) {
            names.add(models.get(modelIdx[k]));
            keep[modelIdx[k]] = true;
            map[modelIdx[k]] = k;
        }
        int n = 0;
        for (int i = 0; i < workload.size(); i++) {
            if (keep[workload.modelId(i)]) {
                n++;
            }
        }
        double[] a = new double[n];
        int[] ids = new int[n];
        double[] s = new double[n];
        int j = 0;
        for (int i = 0; i < workload.size(); i++) {
            if (keep[workload.modelId(i)]) {
                a[j] = workload.arrival(i);
                ids[j] = map[workload.modelId(i)];
                s[j] = workload.slo(i);
                j++;
            }
        }
        return new Workload(names, a, ids, s);
    }

    /** The same problem under other search options, sharing its simulation (and what it memoized). */
    public PlacementProblem withSearch(SearchOptions o) {
        return new PlacementProblem(profiles, workload, cluster, simulation.options(), o, false, simulation);
    }

    /** The same problem on another workload over the same models (clockwork++'s windows; may be empty). */
    public PlacementProblem withWorkload(Workload w) {
        return new PlacementProblem(profiles, w, cluster, simulation.options(), search, false);
    }

    /** Is config c usable at all here: some model is profiled under it and within the budget. */
    public boolean usable(ParallelConfig c) {
        long[] mem = table().memoryAll(c);
        for (long w : mem) {
            if (w <= cluster.memBudgetBytes()) {
                return true;
            }
        }
        return false;
    }
}
