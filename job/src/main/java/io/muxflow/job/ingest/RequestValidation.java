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
        String problem = problem(in, plan);
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
    static String problem(InferenceRequest in, ServingPlan plan) {
        int m = plan.modelIndex(in.getModel());
        if (m < 0) {
            return "unknown model '" + in.getModel() + "' (this plan serves " + String.join(", ", plan.models()) + ")";
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
