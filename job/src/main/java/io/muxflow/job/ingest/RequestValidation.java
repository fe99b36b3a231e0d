package io.muxflow.job.ingest;

import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.job.dispatch.ServingPlan;
import io.muxflow.job.model.DeadLetterRecord;
import io.muxflow.job.model.RawRecord;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.codec.Encoding;
import io.muxflow.schema.codec.RequestDecoder;
import io.muxflow.schema.codec.RequestHead;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Turns raw request bytes into a request the dispatcher can admit, or into the INVALID response that
 * says what is wrong: bytes that decode as neither encoding (also to the dead-letter topic), an
 * oversize payload (refused before decoding), an unknown model, no deadline or one before the send
 * time, no input or both inputs, token ids out of range or too many, a tensor of the wrong shape or
 * with NaN/infinite values. A well-formed request whose deadline passed before the job read it is
 * answered REJECTED (it waited in intake: overload, not bad input).
 */
public final class RequestValidation {
    /** The outcome: exactly one of {@code request} and {@code reply} is set; {@code deadLetter} with an undecodable reply. */
    public record Outcome(ServingRequest request, Reply reply, DeadLetterRecord deadLetter) {
    }

    private RequestValidation() {
    }

    public static Outcome validate(RawRecord raw, ServingPlan plan, int maxBytes) {
        return validate(raw, plan, maxBytes, io.muxflow.job.config.MuxflowOptions.CHAIN_MAX_NEW_TOKENS.defaultValue());
    }

    /** @param maxNewTokens the most tokens a generation request may ask for */
    public static Outcome validate(RawRecord raw, ServingPlan plan, int maxBytes, int maxNewTokens) {
        int size = raw.value == null ? 0 : raw.value.length;
        RequestDecoder.Decoded d;
        try {
            d = RequestDecoder.decode(raw.value, maxBytes);
        } catch (RequestDecoder.OversizeException e) {
            RequestHead head = e.head();
            if (head == null) {
                return undecodable(raw, plan, size, e.getMessage());
            }
            // answered under its own id (read from the message's head); the bytes themselves are not kept
            Reply r = reply(raw, plan, head.requestId(), head.model(), "INVALID", e.getMessage());
            return new Outcome(null, r, null);
        } catch (IOException | RuntimeException e) {
            return undecodable(raw, plan, size, e.getMessage());
        }
        InferenceRequest in = d.request();
        if (in.getClientSendUs() == 0) {
            in.setClientSendUs(raw.receivedUs); // a console client gave no send time: count from receipt
        }
        ServingRequest s = new ServingRequest();
        s.requestId = in.getRequestId();
        s.model = in.getModel();
        s.encoding = d.encoding() == Encoding.JSON ? 1 : 0;
        s.clientSendUs = in.getClientSendUs();
        s.receivedUs = raw.receivedUs;
        s.planVersion = plan.version();
        s.attributes = flatten(in.getAttributes());
        Long deadline = in.getDeadlineUs();
        Long slo = in.getSloUs();
        s.deadlineUs = deadline != null ? deadline : slo != null ? in.getClientSendUs() + slo : 0;
        String problem = problem(in, plan, maxNewTokens);
        if (problem != null) {
            return new Outcome(null, Reply.of(s, "INVALID", problem, -1), null);
        }
        if (s.deadlineUs <= raw.receivedUs) {
            // well formed, but it waited too long before the job read it: overload, not bad input
            return new Outcome(null, Reply.of(s, "REJECTED", String.format(
                    "expired before admission: waited %.1f ms in intake (from the client's send to the job reading it),"
                            + " %.1f ms past its deadline; the job is behind its input",
                    (raw.receivedUs - s.clientSendUs) / 1000.0, (raw.receivedUs - s.deadlineUs) / 1000.0), -1), null);
        }
        if (plan.chain(s.model) != null) {
            s.tokens = in.getTokenIds().stream().mapToInt(Integer::intValue).toArray();
            s.rows = s.tokens.length;
            s.maxNewTokens = in.getMaxNewTokens();
            s.temperature = in.getTemperature();
            s.topK = in.getTopK();
            s.seed = in.getSeed();
            s.stopTokens = in.getStopTokenIds().stream().mapToInt(Integer::intValue).toArray();
            return new Outcome(s, null, null);
        }
        ModelConfig c = plan.config(plan.modelIndex(s.model));
        if (in.getTokenIds() != null) {
            List<Integer> t = in.getTokenIds();
            s.tokens = new int[t.size()];
            for (int i = 0; i < s.tokens.length; i++) {
                s.tokens[i] = t.get(i);
            }
            s.rows = s.tokens.length;
            s.width = 0;
        } else {
            List<Float> v = in.getInput().getValues();
            s.data = new float[v.size()];
            for (int i = 0; i < s.data.length; i++) {
                s.data[i] = v.get(i);
            }
            s.rows = in.getInput().getShape().get(0);
            s.width = c.hidden();
        }
        return new Outcome(s, null, null);
    }

    private static Outcome undecodable(RawRecord raw, ServingPlan plan, int size, String why) {
        String reason = "undecodable request (" + size + " bytes at " + raw.topic + "/" + raw.partition + "@"
                + raw.offset + "): " + why;
        Reply r = reply(raw, plan, "undecodable@" + raw.topic + "/" + raw.partition + "/" + raw.offset,
                raw.key == null ? "" : new String(raw.key, java.nio.charset.StandardCharsets.UTF_8), "INVALID", reason);
        return new Outcome(null, r, new DeadLetterRecord(raw, reason));
    }

    /** A reply to a message that was never decoded into a request. */
    private static Reply reply(RawRecord raw, ServingPlan plan, String requestId, String model, String status,
            String detail) {
        Reply r = new Reply();
        r.requestId = requestId;
        r.model = model;
        r.status = status;
        r.detail = detail;
        r.encoding = Encoding.sniff(raw.value) == Encoding.JSON ? 1 : 0;
        r.receivedUs = raw.receivedUs;
        r.planVersion = plan.version();
        r.finishedUs = io.muxflow.job.model.Clocks.nowUs();
        return r;
    }

    /** What makes a decoded request malformed (INVALID), or null when it is well formed. */
    static String problem(InferenceRequest in, ServingPlan plan, int maxNewTokens) {
        int m = plan.modelIndex(in.getModel());
        boolean llm = plan.chain(in.getModel()) != null;
        if (m < 0 && !llm) {
            return "unknown model '" + in.getModel() + "' (this plan serves " + String.join(", ", plan.allModels()) + ")";
        }
        if (in.getSloUs() == null && in.getDeadlineUs() == null) {
            return "no deadline: give slo_us or deadline_us";
        }
        if (in.getSloUs() != null && in.getSloUs() <= 0) {
            return "slo_us must be positive, got " + in.getSloUs();
        }
        if (in.getDeadlineUs() != null && in.getDeadlineUs() <= in.getClientSendUs()) {
            return "deadline_us " + in.getDeadlineUs() + " is not after client_send_us " + in.getClientSendUs();
        }
        if (in.getMaxNewTokens() < 0) {
            return "max_new_tokens must be >= 0, got " + in.getMaxNewTokens();
        }
        if (llm) {
            return generationProblem(in, plan.chainConfig(in.getModel()), maxNewTokens);
        }
        if (in.getMaxNewTokens() > 0) {
            return "model '" + in.getModel() + "' does not generate: max_new_tokens is for LLMs served on server chains"
                    + (plan.chainModels().isEmpty() ? " (this plan has none)" : " (" + String.join(", ", plan.chainModels())
                            + ")");
        }
        ModelConfig c = plan.config(m);
        boolean tokens = in.getTokenIds() != null;
        boolean tensor = in.getInput() != null;
        if (tokens == tensor) {
            return tokens ? "give token_ids or input, not both" : "no input: give token_ids or an input tensor";
        }
        if (tokens) {
            List<Integer> t = in.getTokenIds();
            if (t.isEmpty()) {
                return "token_ids is empty";
            }
            if (t.size() > c.maxPositions()) {
                return t.size() + " tokens; model '" + in.getModel() + "' takes at most " + c.maxPositions();
            }
            for (int i = 0; i < t.size(); i++) {
                int id = t.get(i);
                if (id < 0 || id >= c.vocab()) {
                    return "token_ids[" + i + "] = " + id + " is outside the vocabulary [0, " + c.vocab() + ")";
                }
            }
            return null;
        }
        List<Integer> shape = in.getInput().getShape();
        List<Float> values = in.getInput().getValues();
        if (shape.size() != 2 || shape.get(1) != c.hidden() || shape.get(0) < 1 || shape.get(0) > c.maxPositions()) {
            return "input shape " + shape + " is wrong: model '" + in.getModel() + "' takes [rows, " + c.hidden()
                    + "] with 1 <= rows <= " + c.maxPositions();
        }
        if ((long) shape.get(0) * shape.get(1) != values.size()) {
            return "input shape " + shape + " needs " + (long) shape.get(0) * shape.get(1) + " values, got " + values.size();
        }
        for (int i = 0; i < values.size(); i++) {
            float v = values.get(i);
            if (!Float.isFinite(v)) {
                return "input values[" + i + "] is " + v + ": values must be finite";
            }
        }
        return null;
    }

    /** A generation request to a chain LLM: prompt tokens, new tokens within the limit and the context, sane sampling. */
    static String generationProblem(InferenceRequest in, ModelConfig c, int maxNewTokens) {
        String model = in.getModel();
        int n = in.getMaxNewTokens();
        if (n == 0) {
            return "'" + model + "' is an LLM served on server chains: give max_new_tokens >= 1 (at most " + maxNewTokens
                    + ")";
        }
        if (n > maxNewTokens) {
            return "max_new_tokens " + n + " is over the limit of " + maxNewTokens;
        }
        if (in.getInput() != null) {
            return "'" + model + "' generates from token_ids; an input tensor is for encoder stages";
        }
        List<Integer> t = in.getTokenIds();
        if (t == null || t.isEmpty()) {
            return "no prompt: give token_ids";
        }
        if ((long) t.size() + n > c.maxPositions()) {
            return "a prompt of " + t.size() + " tokens + " + n + " new tokens exceeds the context of '" + model + "' ("
                    + c.maxPositions() + " positions)";
        }
        for (int i = 0; i < t.size(); i++) {
            int id = t.get(i);
            if (id < 0 || id >= c.vocab()) {
                return "token_ids[" + i + "] = " + id + " is outside the vocabulary [0, " + c.vocab() + ")";
            }
        }
        if (!Float.isFinite(in.getTemperature()) || in.getTemperature() < 0) {
            return "temperature must be a finite number >= 0 (0: greedy), got " + in.getTemperature();
        }
        if (in.getTopK() < 0) {
            return "top_k must be >= 0 (0: all tokens), got " + in.getTopK();
        }
        List<Integer> stops = in.getStopTokenIds();
        if (stops.size() > 1024) {
            return stops.size() + " stop tokens: at most 1024";
        }
        for (int i = 0; i < stops.size(); i++) {
            if (stops.get(i) < 0 || stops.get(i) >= c.vocab()) {
                return "stop_token_ids[" + i + "] = " + stops.get(i) + " is outside the vocabulary [0, " + c.vocab() + ")";
            }
        }
        return null;
    }

    static String[] flatten(Map<String, String> attrs) {
        if (attrs == null || attrs.isEmpty()) {
            return new String[0];
        }
        String[] out = new String[attrs.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(attrs).entrySet()) {
            out[i++] = e.getKey();
            out[i++] = e.getValue();
        }
        return out;
    }
}
