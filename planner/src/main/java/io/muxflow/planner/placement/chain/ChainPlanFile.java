package io.muxflow.planner.placement.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerChain;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.sim.chain.ChainSimResult;
import io.muxflow.planner.sim.chain.OccupancyBounds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a chain plan (what {@code muxflow chain plan --out} writes and
 * {@code muxflow chain simulate --plan} reads): the model, both rules' choices of c, the chosen
 * placement ({@code server, start, blocks}, blocks 0-based) and chains
 * ({@code servers, blocks, service_s, capacity}), the JFFC bounds and planning time.
 */
public final class ChainPlanFile {
    private ChainPlanFile() {
    }

    public static ObjectNode toJson(ChainPlanner.ChainPlan p) {
        ChainInstance inst = p.instance();
        ObjectNode o = Json.object();
        o.put("kind", "chain-plan");
        ObjectNode m = o.putObject("model");
        m.put("name", inst.model().name());
        m.put("blocks", inst.blocks());
        m.put("block_gb", inst.model().blockGb());
        m.put("cache_gb_per_block", inst.model().cacheGbPerBlock());
        o.put("servers", inst.size());
        o.put("arrival_rate", p.arrivalRate());
        o.put("target_load", p.options().targetLoad());
        o.put("c_max", p.cMax());
        ObjectNode rules = o.putObject("rules");
        rule(rules.putObject("paper"), p.paperRule(), p.simulated(p.paperRule().c()));
        rule(rules.putObject("bound"), p.boundRule(), p.simulated(p.boundRule().c()));
        ObjectNode sim = o.putObject("simulation");
        sim.put("job_sizes", p.options().sizes().name().toLowerCase(java.util.Locale.ROOT));
        sim.put("seeds", p.options().seeds());
        sim.put("jobs_per_seed", p.options().simJobs());
        ArrayNode sl = o.putArray("shortlist");
        for (ChainPlanner.Scored s : p.shortlist()) {
            ObjectNode e = sl.addObject();
            e.put("c", s.candidate().c());
            e.put("max_chains", s.candidate().maxChains());
            e.put("chains", s.candidate().chains().size());
            e.put("simulated_mean_response_s", s.meanOverSeedsS());
            e.put("best_in_seeds", s.seedWins());
        }
        o.put("chosen_by", p.chosenBy());
        o.put("c", p.chosen().c());
        o.put("max_chains", p.chosen().maxChains());
        if (p.runnerUp() != null) {
            o.put("runner_up", p.runnerUp().candidate().label());
            o.put("margin", p.margin());
        }
        o.put("chosen_in_seeds", p.stability());
        BlockPlacement pl = p.chosen().placement().placement();
        ArrayNode pa = o.putArray("placement");
        for (int j = 0; j < pl.servers(); j++) {
            if (pl.hosts(j)) {
                ObjectNode e = pa.addObject();
                e.put("server", j);
                e.put("name", inst.server(j).name());
                e.put("start", pl.start(j));
                e.put("blocks", pl.count(j));
            }
        }
        o.set("chains", chains(p.chosen().chains()));
        bounds(o.putObject("bounds"), p.chosen().bounds());
        o.put("total_rate", p.chosen().totalRate());
        o.put("planning_s", p.planningS());
        return o;
    }

    public static ArrayNode chains(List<ServerChain> chains) {
        ArrayNode ca = Json.MAPPER.createArrayNode();
        for (ServerChain c : chains) {
            ObjectNode e = ca.addObject();
            ArrayNode s = e.putArray("servers");
            ArrayNode b = e.putArray("blocks");
            for (int i = 0; i < c.length(); i++) {
                s.add(c.servers()[i]);
                b.add(c.blocks()[i]);
            }
            e.put("service_s", c.serviceS());
            e.put("capacity", c.capacity());
        }
        return ca;
    }

    private static void rule(ObjectNode r, ChainPlanner.Candidate c, ChainSimResult sim) {
        r.put("c", c.c());
        r.put("gbp_chains", c.placement().chains());
        r.put("slots", c.placement().slots());
        r.put("rate_met", c.placement().rateMet());
        r.put("gca_chains", c.chains().size());
        r.put("total_rate", c.totalRate());
        bounds(r.putObject("bounds"), c.bounds());
        if (sim != null) {
            r.set("simulated", sim.toJson());
        }
    }

    private static void bounds(ObjectNode b, OccupancyBounds.Bounds x) {
        b.put("stable", x.stable());
        b.put("utilisation", x.utilisation());
        if (x.stable()) {
            b.put("lower_response_s", x.lowerResponseS());
            b.put("upper_response_s", x.upperResponseS());
        }
    }

    /**
     * The chains of a plan file, checked against the instance: server ids exist, blocks sum to L and
     * service times are recomputed from the servers (a plan made for other servers is refused).
     */
    public static List<ServerChain> readChains(Path file, ChainInstance inst) {
        JsonNode root = Json.read(file);
        String where = file.toString();
        if (!"chain-plan".equals(root.path("kind").asText())) {
            throw new InvalidInputException(where + ": not a chain plan (\"kind\" must be \"chain-plan\")");
        }
        if (root.path("servers").asInt(-1) != inst.size()) {
            throw new InvalidInputException(where + ": plan is for " + root.path("servers").asInt(-1)
                    + " servers, the servers given are " + inst.size());
        }
        JsonNode arr = Json.field(root, "chains", where);
        List<ServerChain> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode c = arr.get(i);
            String w = where + ": chains[" + i + "]";
            JsonNode s = Json.field(c, "servers", w);
            JsonNode b = Json.field(c, "blocks", w);
            if (!s.isArray() || !b.isArray() || s.size() != b.size() || s.isEmpty()) {
                throw new InvalidInputException(w + ": servers and blocks must be arrays of equal, non-zero length");
            }
            int[] sv = new int[s.size()];
            int[] bl = new int[s.size()];
            int sum = 0;
            for (int k = 0; k < sv.length; k++) {
                sv[k] = s.get(k).asInt(-1);
                bl[k] = b.get(k).asInt(0);
                if (sv[k] < 0 || sv[k] >= inst.size() || bl[k] < 1) {
                    throw new InvalidInputException(w + ": bad server id " + s.get(k) + " or block count " + b.get(k));
                }
                sum += bl[k];
            }
            if (sum != inst.blocks()) {
                throw new InvalidInputException(w + ": blocks sum to " + sum + ", the model has " + inst.blocks());
            }
            int cap = Json.integer(c, "capacity", w);
            if (cap < 1) {
                throw new InvalidInputException(w + ": capacity must be >= 1");
            }
            out.add(new ServerChain(sv, bl, ServerChain.serviceTime(inst, sv, bl), cap));
        }
        if (out.isEmpty()) {
            throw new InvalidInputException(where + ": the plan has no chains");
        }
        return out;
    }
}
