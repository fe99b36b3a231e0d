package io.muxflow.job.model;

/** A response ready for the responses topic (a Flink POJO); converted to InferenceResponse at the sink. */
public class Reply {
    public String requestId;
    public String model;
    /** OK, REJECTED, TIMED_OUT, INVALID or FAILED. */
    public String status;
    public String detail = "";
    public float[] output;
    public int[] outputShape = new int[0];
    public int encoding;
    public long clientSendUs;
    public long deadlineUs;
    public long receivedUs;
    public long dispatchedUs;
    public long[] stageTimes = new long[0];
    public long finishedUs;
    /** Plan group id, -1 when none served it. */
    public int group = -1;
    public int planVersion;
    public String[] attributes = new String[0];
    /** Generation (chain LLMs): the tokens made, when each was sampled, and the route that served it. */
    public int[] tokens = new int[0];
    public long[] tokenTimesUs = new long[0];
    public long firstTokenUs;
    /** Index of the chain in the plan's chains section, -1 when none (or a per-job path). */
    public int chain = -1;
    public int[] chainServers = new int[0];

    public Reply() {
    }

    /** A reply to a validated request with no output (REJECTED, TIMED_OUT, FAILED, INVALID after decoding). */
    public static Reply of(ServingRequest r, String status, String detail, int groupId) {
        Reply p = new Reply();
        p.requestId = r.requestId;
        p.model = r.model;
        p.status = status;
        p.detail = detail;
        p.encoding = r.encoding;
        p.clientSendUs = r.clientSendUs;
        p.deadlineUs = r.deadlineUs;
        p.receivedUs = r.receivedUs;
        p.dispatchedUs = r.dispatchedUs;
        p.stageTimes = r.stageTimes;
        p.group = groupId;
        p.planVersion = r.planVersion;
        p.attributes = r.attributes;
        p.finishedUs = Clocks.nowUs();
        return p;
    }
}
