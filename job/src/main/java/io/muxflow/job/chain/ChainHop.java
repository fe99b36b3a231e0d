package io.muxflow.job.chain;

import java.util.Arrays;

/**
 * One message of the chain path's loop (a Flink POJO, and a record of the hop and event topics):
 * work for a chain server ({@link #RUN}: a prefill of the prompt or one decode step, {@link #RELEASE}
 * and {@link #CANCEL}: drop the job's KV cache), or news for the chain dispatcher ({@link #TOKEN}: a
 * token was sampled, {@link #DONE}: the job ended, {@link #REFUSED}: a server had no cache for it).
 * Every message names the job's dispatch sequence number and attempt: after a restart the dispatcher
 * resumes a job under a new attempt, and messages of older attempts are ignored.
 */
public class ChainHop {
    public static final int RUN = 0;
    public static final int RELEASE = 1;
    public static final int CANCEL = 2;
    public static final int TOKEN = 3;
    public static final int DONE = 4;
    public static final int REFUSED = 5;

    public int kind;
    public String llm;
    public String requestId;
    /** The dispatcher's sequence number of the job (its KV cache session, with the attempt). */
    public long job;
    public int attempt;
    /**
     * The dispatcher's epoch (it grows with every restart of the dispatcher, which then resumes every
     * job it had): a server that sees a newer epoch drops the caches and messages of older ones.
     */
    public int epoch;
    /** The route: a chain of the plan (its index) or a per-job path, as servers and blocks run on each. */
    public int chain;
    public int[] servers = new int[0];
    public int[] blocks = new int[0];
    /** The index in {@link #servers} of the server this RUN is for. */
    public int hop;
    /** Tokens generated before this pass. */
    public int step;
    /** Absolute position of the first row. */
    public int position;
    /** Input of the chain's first server: token ids (the prompt, or the last token). */
    public int[] tokens;
    /** Input of any other server: {@code rows} rows of hidden state. */
    public float[] data;
    public int rows;
    public int maxNewTokens;
    public float temperature;
    public int topK;
    public long seed;
    public int[] stopTokens = new int[0];
    public long deadlineUs;
    /** TOKEN: the sampled token. */
    public int token;
    /** DONE: OK, TIMED_OUT or FAILED; REFUSED: why. */
    public String status = "";
    public String detail = "";
    /** When the message was sent, microseconds (hop latency). */
    public long sentUs;
    /** TOKEN: when the token was sampled. */
    public long eventUs;
    /**
     * When the job's topic source read it, microseconds (0 when it came another way); not on the wire.
     * It splits a hop's latency into the Kafka leg (send to read) and the leg inside the job.
     */
    public long readUs;

    public ChainHop() {
    }

    /** The server a RUN, RELEASE or CANCEL is for. */
    public int targetServer() {
        return servers[hop];
    }

    /** A copy with the job's identity and route, for the next message about the same job. */
    public ChainHop follow(int kind) {
        ChainHop h = new ChainHop();
        h.kind = kind;
        h.llm = llm;
        h.requestId = requestId;
        h.job = job;
        h.attempt = attempt;
        h.epoch = epoch;
        h.chain = chain;
        h.servers = servers;
        h.blocks = blocks;
        h.hop = hop;
        h.step = step;
        h.position = position;
        h.maxNewTokens = maxNewTokens;
        h.temperature = temperature;
        h.topK = topK;
        h.seed = seed;
        h.stopTokens = stopTokens;
        h.deadlineUs = deadlineUs;
        return h;
    }

    /** Whether {@code token} ends the generation. */
    public boolean isStop(int t) {
        for (int s : stopTokens) {
            if (s == t) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ChainHop{kind=" + kind + ", job=" + job + "/" + attempt + ", " + requestId + ", route="
                + Arrays.toString(servers) + "@" + hop + ", step=" + step + ", pos=" + position + "}";
    }
}
