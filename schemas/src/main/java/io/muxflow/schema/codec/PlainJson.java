package io.muxflow.schema.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * The plain JSON form of muxflow's records, for clients that are not Avro libraries: a union is
 * {@code null} or its value (not Avro's {@code {"int": 0}}), enums are their symbol, bytes are base64,
 * and a non-finite float is the string {@code "NaN"} / {@code "Infinity"} / {@code "-Infinity"}.
 * Reading also accepts Avro's wrapped unions, so either form decodes.
 */
public final class PlainJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final ObjectMapper MAPPER = new ObjectMapper();

    private PlainJson() {
    }

    public static byte[] encode(IndexedRecord record) {
        try {
            return MAPPER.writeValueAsBytes(write(record, record.getSchema()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + record.getSchema().getName() + " as JSON", e);
        }
    }

    /** The record of {@code schema}'s class (a generated record) read from plain or Avro-wrapped JSON. */
    @SuppressWarnings("unchecked")
    public static <T> T decode(JsonNode json, Schema schema) throws IOException {
        try {
            Object generic = read(json, schema, schema.getName());
            return (T) SpecificData.get().deepCopy(schema, generic);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    static JsonNode write(Object v, Schema s) {
        switch (s.getType()) {
            case RECORD: {
                IndexedRecord r = (IndexedRecord) v;
                ObjectNode o = F.objectNode();
                for (Schema.Field f : s.getFields()) {
                    o.set(f.name(), write(r.get(f.pos()), f.schema()));
                }
                return o;
            }
            case UNION:
                if (v == null) {
                    return F.nullNode();
                }
                return write(v, s.getTypes().get(GenericData.get().resolveUnion(s, v)));
            case ARRAY: {
                ArrayNode a = F.arrayNode();
                for (Object x : (Iterable<?>) v) {
                    a.add(write(x, s.getElementType()));
                }
                return a;
            }
            case MAP: {
                ObjectNode o = F.objectNode();
                ((Map<?, ?>) v).forEach((k, x) -> o.set(k.toString(), write(x, s.getValueType())));
                return o;
            }
            case ENUM:
            case STRING:
                return F.textNode(v.toString());
            case BYTES: {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                return F.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case INT:
                return F.numberNode((Integer) v);
            case LONG:
                return F.numberNode((Long) v);
            case FLOAT: {
                float f = (Float) v;
                return Float.isFinite(f) ? F.numberNode(f) : F.textNode(Float.toString(f));
            }
            case DOUBLE: {
                double d = (Double) v;
                return Double.isFinite(d) ? F.numberNode(d) : F.textNode(Double.toString(d));
            }
            case BOOLEAN:
                return F.booleanNode((Boolean) v);
            case NULL:
                return F.nullNode();
            default:
                throw new IllegalArgumentException("cannot write Avro type " + s.getType() + " as JSON");
        }
    }

    static Object read(JsonNode n, Schema s, String path) {
        switch (s.getType()) {
            case RECORD: {
                if (n == null || !n.isObject()) {
                    throw new IllegalArgumentException(path + ": expected an object");
                }
                GenericData.Record r = new GenericData.Record(s);
                for (Schema.Field f : s.getFields()) {
                    JsonNode x = n.get(f.name());
                    if (x == null) {
                        if (!f.hasDefaultValue()) {
                            throw new IllegalArgumentException(path + ": missing field \"" + f.name() + "\"");
                        }
                        r.put(f.pos(), GenericData.get().getDefaultValue(f));
                    } else {
                        r.put(f.pos(), read(x, f.schema(), path + "." + f.name()));
                    }
                }
                return r;
            }
            case UNION: {
                if (n == null || n.isNull()) {
                    return null;
                }
                if (n.isObject() && n.size() == 1) {
                    String k = n.fieldNames().next();
                    for (Schema b : s.getTypes()) {
                        if (b.getFullName().equals(k) || b.getType().getName().equals(k)) {
                            return read(n.get(k), b, path); // Avro's wrapped form
                        }
                    }
                }
                for (Schema b : s.getTypes()) {
                    if (b.getType() != Schema.Type.NULL) {
                        return read(n, b, path);
                    }
                }
                throw new IllegalArgumentException(path + ": no branch for " + n);
            }
            case ARRAY: {
                if (!n.isArray()) {
                    throw new IllegalArgumentException(path + ": expected an array");
                }
                List<Object> l = new ArrayList<>(n.size());
                for (JsonNode x : n) {
                    l.add(read(x, s.getElementType(), path + "[]"));
                }
                return new GenericData.Array<>(s, l);
            }
            case MAP: {
                Map<String, Object> m = new HashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = n.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    m.put(e.getKey(), read(e.getValue(), s.getValueType(), path + "." + e.getKey()));
                }
                return m;
            }
            case ENUM:
                return new GenericData.EnumSymbol(s, n.asText());
            case STRING:
                return n.asText();
            case BYTES:
                return ByteBuffer.wrap(Base64.getDecoder().decode(n.asText()));
            case INT:
                return n.asInt();
            case LONG:
                return n.asLong();
            case FLOAT:
                return n.isTextual() ? Float.parseFloat(n.asText()) : (float) n.asDouble();
            case DOUBLE:
                return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
            case BOOLEAN:
                return n.asBoolean();
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException(path + ": cannot read Avro type " + s.getType() + " from JSON");
        }
    }
}
