package io.muxflow.schema.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A request's id and model, read from the head of a message that is not decoded (one over the size
 * limit), so that its INVALID answer still reaches the client under the right key. Reading is
 * bounded: in single-object Avro both are the first two strings of every schema version; in JSON a
 * streaming parser reads top-level fields and skips everything else without building it.
 */
public record RequestHead(String requestId, String model) {
    /** Longer ids are not ids anyone can correlate; refusing them keeps the peek cheap. */
    static final int MAX_NAME_BYTES = 1024;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(RequestDecoder.MAX_JSON_NESTING)
                    .maxNumberLength(RequestDecoder.MAX_JSON_NUMBER_LENGTH).maxStringLength(MAX_NAME_BYTES).build())
            .build();

    /** The head of {@code bytes}, or null when it cannot be read cheaply. */
    public static RequestHead peek(byte[] bytes) {
        Encoding e = Encoding.sniff(bytes);
        try {
            if (e == Encoding.AVRO) {
                int[] pos = {10};
                String id = avroString(bytes, pos);
                String model = avroString(bytes, pos);
                return id == null || model == null ? null : new RequestHead(id, model);
            }
            return e == Encoding.JSON ? json(bytes) : null;
        } catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    private static String avroString(byte[] b, int[] pos) {
        long raw = 0;
        for (int shift = 0; ; shift += 7) {
            if (pos[0] >= b.length || shift > 28) {
                return null;
            }
            int x = b[pos[0]++] & 0xff;
            raw |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                break;
            }
        }
        long len = (raw >>> 1) ^ -(raw & 1);
        if (len <= 0 || len > MAX_NAME_BYTES || len > b.length - pos[0]) {
            return null;
        }
        String s = new String(b, pos[0], (int) len, StandardCharsets.UTF_8);
        pos[0] += (int) len;
        return s;
    }

    private static RequestHead json(byte[] bytes) throws IOException {
        String id = null;
        String model = null;
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME && (id == null || model == null)) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_STRING && field.equals("request_id")) {
                    id = p.getText();
                } else if (v == JsonToken.VALUE_STRING && field.equals("model")) {
                    model = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
        return id == null || id.isEmpty() || model == null ? null : new RequestHead(id, model);
    }
}
