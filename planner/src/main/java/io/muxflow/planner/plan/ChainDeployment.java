package io.muxflow.planner.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ChainModel;
import io.muxflow.planner.chain.ServerChain;
import io.muxflow.planner.chain.ServerSpec;
import io.muxflow.planner.io.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One entry of a serving plan's {@code chains} section: a decoder LLM served as a chain of blocks
 * over servers (server chain composition, Sun, He and Hou), as {@code muxflow chain plan --job-plan}
 * writes it. It holds everything the serving job needs without the planner's inputs: the servers
 * (memory, the paper's tau_c and tau_p, and the block range GBP-CR placed there), the chains GCA
 * formed (servers, blocks each runs, service time, capacity) and the model's block and cache sizes.
 *
 * <p>Blocks are 0-based here; server i hosts blocks {@code [start, start + count)} ({@code count} 0:
 * none). On a chain, the k-th server runs the {@code blocks[k]} blocks that follow those of the
 * servers before it, so the chain covers blocks 0..L-1 in order.
 *
 * @param model the name clients put in requests
 * @param profile the model shape the executors load (a named shape or a safetensors file's stem)
 * @param tokensPerJob the generated tokens per job the servers' tau_c and tau_p were costed for (the
 *     emulated backend spreads a visit's time over this many steps)
 * @param chains GCA's chains; empty for a placement served only by a per-job router (Petals' paths)
 */
public record ChainDeployment(String model, String profile, int blocks, double blockGb, double cacheGbPerBlock,
        int tokensPerJob, List<Server> servers, List<Chain> chains) {

    /** A server: its resources, the paper's timing and the blocks it hosts. */
    public record Server(int id, String name, double memoryGb, double commS, double blockS, int start, int count) {
        public Server {
            if (count < 0 || start < 0) {
                throw new InvalidInputException("server " + id + ": start and count must be >= 0");
            }
        }

        public boolean hosts(int block) {
            return block >= start && block < start + count;
        }
    }

    /** A chain: servers in order, the blocks the job runs on each, service time and capacity (jobs). */
    public record Chain(int[] servers, int[] blocks, double serviceS, int capacity) {
        public Chain {
            servers = servers.clone();
            blocks = blocks.clone();
        }

        /** The first block server k of the chain runs. */
        public int firstBlock(int k) {
            int b = 0;
            for (int i = 0; i < k; i++) {
                b += blocks[i];
            }
            return b;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Chain c && Arrays.equals(c.servers, servers) && Arrays.equals(c.blocks, blocks)
                    && c.serviceS == serviceS && c.capacity == capacity;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(servers) * 31 + Arrays.hashCode(blocks);
        }
    }

    public ChainDeployment {
        servers = List.copyOf(servers);
        chains = List.copyOf(chains);
        String where = "chains[" + model + "]";
        if (model == null || model.isBlank() || profile == null || profile.isBlank()) {
            throw new InvalidInputException(where + ": \"model\" and \"profile\" must be names");
        }
        if (blocks < 1 || tokensPerJob < 1) {
            throw new InvalidInputException(where + ": blocks and tokens_per_job must be >= 1");
        }
        for (int j = 0; j < servers.size(); j++) {
            Server s = servers.get(j);
            if (s.id() != j) {
                throw new InvalidInputException(where + ": server ids must be 0..J-1 in order; server " + j
                        + " has id " + s.id());
            }
            if (s.start() + s.count() > blocks) {
                throw new InvalidInputException(where + ": server " + j + " hosts blocks [" + s.start() + ", "
                        + (s.start() + s.count()) + ") past the model's " + blocks);
            }
        }
        for (int i = 0; i < chains.size(); i++) {
            Chain c = chains.get(i);
            String w = where + ": chain " + i;
            if (c.servers().length == 0 || c.servers().length != c.blocks().length || c.capacity() < 1) {
                throw new InvalidInputException(w + ": servers and blocks must be equal, non-empty lists and "
                        + "capacity >= 1");
            }
            Set<Integer> seen = new HashSet<>();
            int b = 0;
            for (int k = 0; k < c.servers().length; k++) {
                int sv = c.servers()[k];
                if (sv < 0 || sv >= servers.size() || !seen.add(sv) || c.blocks()[k] < 1) {
                    throw new InvalidInputException(w + ": bad server " + sv + " or block count " + c.blocks()[k]);
                }
                Server s = servers.get(sv);
                if (!s.hosts(b) || !s.hosts(b + c.blocks()[k] - 1)) {
                    throw new InvalidInputException(w + ": server " + sv + " would run blocks [" + b + ", "
                            + (b + c.blocks()[k]) + ") but hosts [" + s.start() + ", " + (s.start() + s.count()) + ")");
                }
                b += c.blocks()[k];
            }
            if (b != blocks) {
                throw new InvalidInputException(w + ": runs " + b + " blocks, the model has " + blocks);
            }
        }
    }

    /** The planner's problem instance these servers make (for the routers). */
    public ChainInstance instance() {
        List<ServerSpec> specs = new ArrayList<>();
        for (Server s : servers) {
            specs.add(new ServerSpec(s.id(), s.name(), s.memoryGb(), s.commS(), s.blockS()));
        }
        return new ChainInstance(new ChainModel(model, blocks, blockGb, cacheGbPerBlock), specs);
    }

    public BlockPlacement placement() {
        int[] start = new int[servers.size()];
        int[] count = new int[servers.size()];
        for (Server s : servers) {
            start[s.id()] = s.start();
            count[s.id()] = s.count();
        }
        return new BlockPlacement(blocks, start, count);
    }

    public List<ServerChain> serverChains() {
        return chains.stream().map(c -> new ServerChain(c.servers(), c.blocks(), c.serviceS(), c.capacity())).toList();
    }

    /**
     * The cache a server may hold, in block-jobs (one job's cache on one block): what its memory leaves
     * after its blocks, as GCA allocated it. A job beyond it is refused, never an out-of-memory error.
     */
    public int cacheUnits(int server) {
        return instance().cacheUnits(server, servers.get(server).count());
    }

    /** Whether a router that needs chains can serve this section. */
    public boolean hasChains() {
        return !chains.isEmpty();
    }

    /** Builds the section from a chain plan's chosen placement and chains. */
    public static ChainDeployment of(String model, String profile, ChainInstance inst, BlockPlacement placement,
            List<ServerChain> chains, int tokensPerJob) {
        List<Server> servers = new ArrayList<>();
        for (int j = 0; j < inst.size(); j++) {
            ServerSpec s = inst.server(j);
            servers.add(new Server(j, s.name(), s.memoryGb(), s.commS(), s.blockS(),
                    placement.hosts(j) ? placement.start(j) : 0, placement.hosts(j) ? placement.count(j) : 0));
        }
        List<Chain> cs = chains.stream().map(c -> new Chain(c.servers(), c.blocks(), c.serviceS(), c.capacity()))
                .toList();
        return new ChainDeployment(model, profile, inst.blocks(), inst.model().blockGb(),
                inst.model().cacheGbPerBlock(), tokensPerJob, servers, cs);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("model", model);
        o.put("profile", profile);
        o.put("blocks", blocks);
        o.put("block_gb", blockGb);
        o.put("cache_gb_per_block", cacheGbPerBlock);
        o.put("tokens_per_job", tokensPerJob);
        ArrayNode sv = o.putArray("servers");
        for (Server s : servers) {
            ObjectNode e = sv.addObject();
            e.put("id", s.id());
            e.put("name", s.name());
            e.put("memory_gb", s.memoryGb());
            e.put("tau_c_s", s.commS());
            e.put("tau_p_s", s.blockS());
            e.put("start", s.start());
            e.put("count", s.count());
        }
        ArrayNode ch = o.putArray("chains");
        for (Chain c : chains) {
            ObjectNode e = ch.addObject();
            ArrayNode s = e.putArray("servers");
            ArrayNode b = e.putArray("blocks");
            for (int k = 0; k < c.servers().length; k++) {
                s.add(c.servers()[k]);
                b.add(c.blocks()[k]);
            }
            e.put("service_s", c.serviceS());
            e.put("capacity", c.capacity());
        }
        return o;
    }

    public static ChainDeployment parse(JsonNode n, String where) {
        String model = Json.text(n, "model", where);
        String w = where + ": " + model;
        List<Server> servers = new ArrayList<>();
        JsonNode sv = Json.field(n, "servers", w);
        if (!sv.isArray()) {
            throw new InvalidInputException(w + ": \"servers\" must be an array");
        }
        for (int j = 0; j < sv.size(); j++) {
            JsonNode e = sv.get(j);
            String sw = w + ": servers[" + j + "]";
            servers.add(new Server(Json.integer(e, "id", j, sw), e.path("name").asText("server-" + j),
                    Json.number(e, "memory_gb", sw), Json.number(e, "tau_c_s", sw), Json.number(e, "tau_p_s", sw),
                    Json.integer(e, "start", 0, sw), Json.integer(e, "count", 0, sw)));
        }
        List<Chain> chains = new ArrayList<>();
        JsonNode ch = Json.field(n, "chains", w);
        if (!ch.isArray()) {
            throw new InvalidInputException(w + ": \"chains\" must be an array");
        }
        for (int i = 0; i < ch.size(); i++) {
            JsonNode e = ch.get(i);
            String cw = w + ": chains[" + i + "]";
            JsonNode s = Json.field(e, "servers", cw);
            JsonNode b = Json.field(e, "blocks", cw);
            if (!s.isArray() || !b.isArray() || s.size() != b.size()) {
                throw new InvalidInputException(cw + ": servers and blocks must be arrays of equal length");
            }
            int[] ss = new int[s.size()];
            int[] bb = new int[s.size()];
            for (int k = 0; k < ss.length; k++) {
                ss[k] = s.get(k).asInt(-1);
                bb[k] = b.get(k).asInt(0);
            }
            chains.add(new Chain(ss, bb, Json.number(e, "service_s", cw), Json.integer(e, "capacity", cw)));
        }
        return new ChainDeployment(model, n.path("profile").asText(model), Json.integer(n, "blocks", w),
                Json.number(n, "block_gb", w), Json.number(n, "cache_gb_per_block", w),
                Json.integer(n, "tokens_per_job", 1, w), servers, chains);
    }
}
