package io.muxflow.job.chain;

/**
 * One generated token on its way to the token stream (a POJO for Flink): which request, which step,
 * which token, when the sampling server made it, and the request's encoding (0 Avro, 1 JSON).
 */
public class StreamedToken {
    public String requestId;
    public String model;
    public int step;
    public int token;
    public long generatedUs;
    public int encoding;

    public StreamedToken() {
    }

    static StreamedToken of(ChainJob j, int step) {
        StreamedToken t = new StreamedToken();
        t.requestId = j.requestId;
        t.model = j.model;
        t.step = step;
        t.token = j.tokens[step];
        t.generatedUs = j.tokenTimesUs[step];
        t.encoding = j.encoding;
        return t;
    }
}
