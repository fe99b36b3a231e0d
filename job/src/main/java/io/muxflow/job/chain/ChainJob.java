package io.muxflow.job.chain;

/**
 * What the chain dispatcher keeps of one generation job, in Flink state (a POJO): the request, the
 * tokens made so far and when, and the route it runs on now. After a restart it is all that is left of
 * the job: the dispatcher resumes it under the next attempt by prefilling prompt + tokens again.
 */
public class ChainJob {
    public long seq;
    public int attempt;
    public String requestId;
    public String model;
    public int encoding;
    public long clientSendUs;
    public long deadlineUs;
    public long receivedUs;
    public long dispatchedUs;
    public int planVersion;
    public String[] attributes = new String[0];
    public int[] prompt = new int[0];
    public int maxNewTokens;
    public float temperature;
    public int topK;
    public long seed;
    public int[] stopTokens = new int[0];
    public int[] tokens = new int[0];
    public long[] tokenTimesUs = new long[0];
    /** The router's route id, -1 while queued. */
    public int route = -1;
    /** The plan's chain index, -1 for a per-job path or while queued. */
    public int chain = -1;
    public int[] servers = new int[0];
    public int[] blocks = new int[0];
    public long startedUs;

    public ChainJob() {
    }

    public boolean started() {
        return route >= 0;
    }

    /** Whether the job has all its tokens (or ended on a stop token). */
    public boolean complete() {
        if (tokens.length >= maxNewTokens) {
            return true;
        }
        if (tokens.length == 0) {
            return false;
        }
        int last = tokens[tokens.length - 1];
        for (int s : stopTokens) {
            if (s == last) {
                return true;
            }
        }
        return false;
    }
}
