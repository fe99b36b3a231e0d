package io.muxflow.job.dispatch;

import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.ModelCatalog;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.plan.ChainDeployment;
import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.sim.LatencyTable;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.sim.StageClockAdmission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A plan compiled for serving: groups by index (0..G-1 in plan order), the models each serves, the
 * planner's {@link LatencyTable} and {@link Placement} for them (so the dispatcher admits with the
 * simulator's own {@link StageClockAdmission}), each model's predicted stage latencies per group in
 * µs (the same table's figures), the dispatch cells (connected components of the model-group graph: a cell's
 * dispatcher needs no other cell's clocks) and the stage layers (layer k: the groups with more than
 * k stages, each at its own subtask).
 */
public final class ServingPlan {
    public record Group(int id, int op, int pp, int[] models, int cell) {
    }

    private final Plan plan;
    private final List<String> models;
    private final Map<String, Integer> modelIndex = new LinkedHashMap<>();
    private final Group[] groups;
    private final int[][] modelGroups;
    private final int[] modelCell;
    private final int cells;
    private final long[][][] latencyUs;
    private final LatencyTable table;
    private final Placement placement;
    private final int[][] layers;
    private final int[][] layerSlot;
    private final ModelConfig[] configs;
    private final String[] profileNames;
    /** Decoder LLMs served as server chains, by the name requests use, with the shape their servers load. */
    private final Map<String, ChainDeployment> chains = new LinkedHashMap<>();
    private final Map<String, ModelConfig> chainConfigs = new LinkedHashMap<>();
    /** Batch latencies in µs by (group, model, batch size), converted on first use. */
    private final Map<Long, long[]> batchLatencyUs = new java.util.concurrent.ConcurrentHashMap<>();

    public ServingPlan(JobSpec spec) {
        this(spec.plan(), spec.profiles(), spec.backend(), spec.modelStore(), spec.simOptions());
    }

    /** @param options the prediction overheads: the same the planner's simulator used for this job */
    public ServingPlan(Plan plan, ProfileDatabase profiles, String backend, String modelStore, SimOptions options) {
        this.plan = plan;
        for (Plan.Group pg : plan.groups()) { // before anything is loaded: refused at submit, with the reason
            if (pg.op() > io.muxflow.gpu.backend.Backends.maxOp(backend)) {
                throw new InvalidInputException("plan v" + plan.version() + ": group " + pg.id() + " runs each stage over "
                        + pg.op() + " devices (op = " + pg.op() + "); backend '" + backend + "' runs a stage on one device"
                        + ("auto".equals(backend) ? " when it resolves to cuda" : "") + ": plan with --max-op 1");
            }
        }
        TreeSet<String> names = new TreeSet<>(plan.models());
        names.addAll(plan.modelProfiles().keySet());
        this.models = List.copyOf(names);
        for (int i = 0; i < models.size(); i++) {
            modelIndex.put(models.get(i), i);
        }
        int m = models.size();
        int g = plan.groups().size();
        configs = new ModelConfig[m];
        profileNames = new String[m];
        ModelProfile[] profs = new ModelProfile[m];
        for (int i = 0; i < m; i++) {
            profileNames[i] = plan.profileOf(models.get(i));
            profs[i] = profiles.require(profileNames[i], "plan v" + plan.version() + ": model '" + models.get(i) + "'");
            configs[i] = ModelCatalog.config(profileNames[i], backend, modelStore);
        }
        // union-find over models, joined through groups
        int[] parent = new int[m];
        for (int i = 0; i < m; i++) {
            parent[i] = i;
        }
        List<int[]> groupModels = new ArrayList<>();
        for (Plan.Group pg : plan.groups()) {
            int[] ms = pg.models().stream().mapToInt(modelIndex::get).sorted().toArray();
            groupModels.add(ms);
            for (int k = 1; k < ms.length; k++) {
                parent[find(parent, ms[k])] = find(parent, ms[0]);
            }
        }
        Map<Integer, Integer> cellOfRoot = new LinkedHashMap<>();
        modelCell = new int[m];
        List<List<Integer>> hosting = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            hosting.add(new ArrayList<>());
        }
        for (int gi = 0; gi < g; gi++) {
            for (int mi : groupModels.get(gi)) {
                hosting.get(mi).add(gi);
            }
        }
        for (int i = 0; i < m; i++) {
            modelCell[i] = hosting.get(i).isEmpty() ? -1
                    : cellOfRoot.computeIfAbsent(find(parent, i), r -> cellOfRoot.size());
        }
        cells = Math.max(1, cellOfRoot.size());
        modelGroups = new int[m][];
        for (int i = 0; i < m; i++) {
            modelGroups[i] = hosting.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        table = new LatencyTable(List.of(profs), options);
        groups = new Group[g];
        latencyUs = new long[g][m][];
        List<ParallelConfig> groupConfigs = new ArrayList<>();
        int maxPp = 0;
        for (int gi = 0; gi < g; gi++) {
            Plan.Group pg = plan.groups().get(gi);
            int[] ms = groupModels.get(gi);
            int cell = ms.length == 0 ? -1 : modelCell[ms[0]];
            groups[gi] = new Group(pg.id(), pg.op(), pg.pp(), ms, cell);
            maxPp = Math.max(maxPp, pg.pp());
            groupConfigs.add(pg.config());
            for (int mi : ms) {
                double[] l = table.stages(pg.config(), mi);
                if (l == null) {
                    throw new InvalidInputException("plan v" + plan.version() + ": group " + pg.id() + " runs model '"
                            + models.get(mi) + "' as " + pg.config() + ", which its profile '" + profs[mi].model()
                            + "' does not have at batch 1");
                }
                if (pg.pp() > configs[mi].layers()) {
                    throw new InvalidInputException("plan v" + plan.version() + ": group " + pg.id() + " cuts model '"
                            + models.get(mi) + "' into " + pg.pp() + " stages; it has " + configs[mi].layers() + " layers");
                }
                long[] us = new long[l.length];
                for (int k = 0; k < l.length; k++) {
                    us[k] = Math.max(1, Math.round(l[k] * 1e6));
                }
                latencyUs[gi][mi] = us;
            }
        }
        placement = new Placement(groupConfigs, groupModels);
        layers = new int[maxPp][];
        layerSlot = new int[g][maxPp];
        for (int k = 0; k < maxPp; k++) {
            List<Integer> in = new ArrayList<>();
            for (int gi = 0; gi < g; gi++) {
                if (groups[gi].pp() > k) {
                    layerSlot[gi][k] = in.size();
                    in.add(gi);
                } else {
                    layerSlot[gi][k] = -1;
                }
            }
            layers[k] = in.stream().mapToInt(Integer::intValue).toArray();
        }
        addChains(plan, backend, modelStore);
    }

    private void addChains(Plan plan, String backend, String modelStore) {
        for (ChainDeployment c : plan.chains()) {
            if (modelIndex.containsKey(c.model())) {
                throw new InvalidInputException("plan v" + plan.version() + ": '" + c.model()
                        + "' is served both by groups and by server chains");
            }
            chains.put(c.model(), c);
            chainConfigs.put(c.model(), ModelCatalog.chainConfig(c.profile(), backend, modelStore, c.blocks()));
        }
    }

    /** The chains section of LLM {@code name}, or null when no chains serve it. */
    public ChainDeployment chain(String name) {
        return chains.get(name);
    }

    /** The shape a chain LLM's servers load (its vocabulary and context bound the requests). */
    public ModelConfig chainConfig(String name) {
        return chainConfigs.get(name);
    }

    public java.util.Set<String> chainModels() {
        return chains.keySet();
    }

    /** Every model name a request may use: the groups' models and the chain LLMs. */
    public List<String> allModels() {
        List<String> all = new ArrayList<>(models);
        all.addAll(chains.keySet());
        return all;
    }

    private static int find(int[] p, int x) {
        while (p[x] != x) {
            p[x] = p[p[x]];
            x = p[x];
        }
        return x;
    }

    public Plan plan() {
        return plan;
    }

    public int version() {
        return plan.version();
    }

    public List<String> models() {
        return models;
    }

    /** Index of a model, or -1 when the plan does not know it. */
    public int modelIndex(String name) {
        Integer i = modelIndex.get(name);
        return i == null ? -1 : i;
    }

    public Group group(int index) {
        return groups[index];
    }

    public int numGroups() {
        return groups.length;
    }

    /** The groups serving a model index; none for -1 (a model this plan does not know). */
    public int[] groupsOf(int model) {
        return model < 0 ? new int[0] : modelGroups[model];
    }

    public int cellOf(int model) {
        return modelCell[model];
    }

    public int cells() {
        return cells;
    }

    /** The stage latencies the dispatcher predicts with, by model index; the planner's simulator uses the same. */
    public LatencyTable latencyTable() {
        return table;
    }

    /** The plan's groups in the planner's index form (group i here is group i there, models by index). */
    public Placement placement() {
        return placement;
    }

    /** A fresh admission model over this plan: idle devices. */
    public StageClockAdmission newAdmission() {
        return new StageClockAdmission(placement, table);
    }

    /** A fresh batching admission model over this plan (batch sizes up to the options' maximum): idle devices, empty queues. */
    public io.muxflow.planner.sim.BatchAdmission newBatchAdmission() {
        return new io.muxflow.planner.sim.BatchAdmission(placement, table);
    }

    /**
     * Predicted stage latencies (µs) of model m on group g for a batch of {@code size}: the profiled
     * size's, as the batching admission predicts; batch 1's when the size is not profiled.
     */
    public long[] latencyUs(int g, int m, int size) {
        if (size <= 1) {
            return latencyUs[g][m];
        }
        // asked for every member of every batch at every stage: converted once per (group, model, size)
        return batchLatencyUs.computeIfAbsent(((long) g * models.size() + m) * 65_536 + size, key -> {
            LatencyTable.BatchLatency b = table.batches(plan.groups().get(g).config(), m);
            for (int i = 0; b != null && i < b.batchSizes().length; i++) {
                if (b.batchSizes()[i] == size) {
                    long[] us = new long[b.stageLatency()[i].length];
                    for (int k = 0; k < us.length; k++) {
                        us[k] = Math.max(1, Math.round(b.stageLatency()[i][k] * 1e6));
                    }
                    return us;
                }
            }
            return latencyUs[g][m];
        });
    }

    /** Predicted stage latencies (µs) of model m on group g; null when g does not host m. */
    public long[] latencyUs(int g, int m) {
        return latencyUs[g][m];
    }

    public int numLayers() {
        return layers.length;
    }

    /** The groups of layer k, in subtask order. */
    public int[] layer(int k) {
        return layers[k];
    }

    /** The subtask of group g in layer k, -1 when g has no stage k. */
    public int slot(int g, int k) {
        return layerSlot[g][k];
    }

    public ModelConfig config(int model) {
        return configs[model];
    }

    public String profileName(int model) {
        return profileNames[model];
    }
}
