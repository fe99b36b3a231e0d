package io.muxflow.job.model;

/**
 * A validated request on its way through dispatch and the stage layers (a Flink POJO). It carries
 * the current activation ({@code rows x width} floats, or the token ids into the first stage), the
 * timestamps of its path, and what the dispatcher predicted for each stage (for clock correction).
 */
public class ServingRequest {
    public String requestId;
    public String model;
    /** 0: Avro single-object, 1: JSON (the response goes back the same way). */
    public int encoding;
    public long clientSendUs;
    public long deadlineUs;
    public long receivedUs;
    public long dispatchedUs;
    /** Index of the serving group in the plan (-1 before dispatch). */
    public int group = -1;
    public int planVersion;
    public int[] tokens;
    public float[] data;
    public int rows;
    public int width;
    /** Per stage: start and end, microseconds. */
    public long[] stageTimes = new long[0];
    /** Per stage: the end the dispatcher predicted, and its cumulative clock shift at dispatch. */
    public long[] predictedEndUs = new long[0];
    public long[] shiftAtDispatchUs = new long[0];
    /**
     * Batching only (0 otherwise): the batch this request travels in (unique per group and dispatcher
     * run), the profiled batch size the dispatcher chose for it, and how many of its requests travel
     * together into the next stage (fewer than chosen when some timed out on the way).
     */
    public long batchId;
    public int batchSize;
    public int batchCount;
    /** Attributes as alternating keys and values. */
    public String[] attributes = new String[0];
    /** Generation (chain LLMs only): tokens to make, sampling, stop tokens. */
    public int maxNewTokens;
    public float temperature;
    public int topK;
    public long seed;
    public int[] stopTokens = new int[0];

    public ServingRequest() {
    }
}
