package io.muxflow.schema.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Decodes request bytes in whichever encoding they arrive: single-object Avro (by its marker), or
 * JSON. JSON is read leniently so people can type requests: Avro's union wrappers ({@code
 * {"long": 5}}) are accepted but not required, optional fields may be left out, and {@code slo_ms}
 * may stand for {@code slo_us}; without {@code client_send_us} it is 0 (the job then counts from when it
 * read the request). Anything else raises an {@link IOException} saying why.
 *
 * <p>Decoding is bounded: the size is checked before anything is parsed, Avro's length prefixes are
 * checked against the message ({@link AvroLengths}), and JSON is parsed under stream-read constraints
 * (nesting, number and string lengths), so no input makes the decoder allocate much more than the
 * message's size or throw an {@link Error}.
 */
public final class RequestDecoder {
    /** Deeper than any request; a deeply nested document would otherwise cost stack, not just heap. */
    static final int MAX_JSON_NESTING = 16;
    /** Digits in one JSON number: a token id or timestamp needs 20; parsing 10^6 digits costs quadratic time. */
    static final int MAX_JSON_NUMBER_LENGTH = 64;
    /** Used by callers without a configured limit (tests, tools). */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_NESTING)
                    .maxNumberLength(MAX_JSON_NUMBER_LENGTH).build())
            .build());

    /** A decoded request and the encoding it came in (its response goes back the same way). */
    public record Decoded(InferenceRequest request, Encoding encoding) {
    }

    private RequestDecoder() {
    }

    /**
     * A message over the size limit: refused before decoding. It carries the request id and model when
     * they could be read from the message's head without decoding the rest, so that the client still
     * gets its answer.
     */
    public static final class OversizeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient RequestHead head;

        OversizeException(int size, int max, RequestHead head) {
            super("request is " + size + " bytes, over the limit of " + max);
            this.head = head;
        }

        /** The id and model read from the message's head, or null. */
        public RequestHead head() {
            return head;
        }
    }

    public static Decoded decode(byte[] bytes) throws IOException {
        return decode(bytes, DEFAULT_MAX_BYTES);
    }

    /** Decodes at most {@code maxBytes}; a larger message is refused before any of it is parsed. */
    public static Decoded decode(byte[] bytes, int maxBytes) throws IOException {
        if (bytes != null && bytes.length > maxBytes) {
            throw new OversizeException(bytes.length, maxBytes, RequestHead.peek(bytes));
        }
        Encoding e = Encoding.sniff(bytes);
        if (e == null) {
            throw new IOException(bytes == null || bytes.length == 0 ? "empty message"
                    : "neither Avro single-object encoding (no 0xC3 0x01 marker) nor JSON");
        }
        if (e == Encoding.AVRO) {
            return new Decoded(Codecs.REQUEST.decodeBinary(bytes), e);
        }
        return new Decoded(fromJson(bytes), e);
    }

    static InferenceRequest fromJson(byte[] bytes) throws IOException {
        JsonNode n;
        try {
            n = MAPPER.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IOException("not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        if (n == null || !n.isObject()) {
            throw new IOException("a request must be a JSON object");
        }
        InferenceRequest.Builder b = InferenceRequest.newBuilder();
        b.setRequestId(text(n, "request_id", true));
        b.setModel(text(n, "model", true));
        Long send = longValue(n, "client_send_us");
        // absent: 0, and the job takes the time it read the request (its own clock, not this decoder's)
        b.setClientSendUs(send == null ? 0 : send);
        Long slo = longValue(n, "slo_us");
        Long sloMs = longValue(n, "slo_ms");
        b.setSloUs(slo != null ? slo : sloMs != null ? sloMs * 1000 : null);
        b.setDeadlineUs(longValue(n, "deadline_us"));
        JsonNode toks = unwrap(n.get("token_ids"));
        if (toks != null) {
            if (!toks.isArray()) {
                throw new IOException("token_ids must be an array of integers");
            }
            List<Integer> t = new ArrayList<>();
            for (JsonNode x : toks) {
                if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                    throw new IOException("token_ids must be an array of 32-bit integers, found " + x);
                }
                t.add(x.asInt());
            }
            b.setTokenIds(t);
        }
        JsonNode in = unwrap(n.get("input"));
        if (in != null) {
            JsonNode tensor = in.has("io.muxflow.schema.Tensor") ? in.get("io.muxflow.schema.Tensor") : in;
            List<Integer> shape = new ArrayList<>();
            List<Float> values = new ArrayList<>();
            JsonNode s = tensor.get("shape");
            JsonNode v = tensor.get("values");
            if (s == null || !s.isArray() || v == null || !v.isArray()) {
                throw new IOException("input must be {\"shape\": [...], \"values\": [...]}");
            }
            for (JsonNode x : s) {
                if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                    throw new IOException("input shape must be an array of 32-bit integers, found " + x);
                }
                shape.add(x.asInt());
            }
            for (JsonNode x : v) {
                if (x.isNumber()) {
                    values.add((float) x.asDouble());
                } else if (x.isTextual() && (x.asText().equals("NaN") || x.asText().endsWith("Infinity"))) {
                    values.add(Float.parseFloat(x.asText()));
                } else {
                    throw new IOException("input values must be numbers, found " + x);
                }
            }
            b.setInput(new Tensor(shape, values));
        }
        Long maxNew = longValue(n, "max_new_tokens");
        if (maxNew != null) {
            if (maxNew < Integer.MIN_VALUE || maxNew > Integer.MAX_VALUE) {
                throw new IOException("field \"max_new_tokens\" must be a 32-bit integer, found " + maxNew);
            }
            b.setMaxNewTokens(maxNew.intValue());
        }
        Long topK = longValue(n, "top_k");
        if (topK != null) {
            if (topK < Integer.MIN_VALUE || topK > Integer.MAX_VALUE) {
                throw new IOException("field \"top_k\" must be a 32-bit integer, found " + topK);
            }
            b.setTopK(topK.intValue());
        }
        Long seed = longValue(n, "seed");
        if (seed != null) {
            b.setSeed(seed);
        }
        JsonNode temp = unwrap(n.get("temperature"));
        if (temp != null) {
            if (temp.isNumber()) {
                b.setTemperature((float) temp.asDouble());
            } else if (temp.isTextual() && (temp.asText().equals("NaN") || temp.asText().endsWith("Infinity"))) {
                b.setTemperature(Float.parseFloat(temp.asText()));
            } else {
                throw new IOException("field \"temperature\" must be a number, found " + temp);
            }
        }
        JsonNode stops = unwrap(n.get("stop_token_ids"));
        if (stops != null) {
            if (!stops.isArray()) {
                throw new IOException("stop_token_ids must be an array of integers");
            }
            List<Integer> t = new ArrayList<>();
            for (JsonNode x : stops) {
                if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                    throw new IOException("stop_token_ids must be an array of 32-bit integers, found " + x);
                }
                t.add(x.asInt());
            }
            b.setStopTokenIds(t);
        }
        Map<String, String> attrs = new HashMap<>();
        JsonNode a = unwrap(n.get("attributes"));
        if (a != null && a.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = a.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                attrs.put(e.getKey(), e.getValue().asText());
            }
        }
        b.setAttributes(attrs);
        return b.build();
    }

    /** Avro JSON wraps union values as {"type": value}; accept both forms. */
    private static JsonNode unwrap(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isObject() && v.size() == 1) {
            String k = v.fieldNames().next();
            if (k.equals("long") || k.equals("int") || k.equals("string") || k.equals("array") || k.equals("double")
                    || k.equals("map")) {
                return v.get(k);
            }
        }
        return v;
    }

    private static String text(JsonNode n, String f, boolean required) throws IOException {
        JsonNode v = unwrap(n.get(f));
        if (v == null) {
            if (required) {
                throw new IOException("missing field \"" + f + "\"");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new IOException("field \"" + f + "\" must be a non-empty string");
        }
        return v.asText();
    }

    private static Long longValue(JsonNode n, String f) throws IOException {
        JsonNode v = unwrap(n.get(f));
        if (v == null) {
            return null;
        }
        if (!v.isNumber() || !v.canConvertToLong()) {
            throw new IOException("field \"" + f + "\" must be a number of 64 bits, found " + v);
        }
        return v.asLong();
    }
}
