package io.muxflow.planner.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading and writing JSON files with errors that name the file and the field at fault. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    public static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + ": not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static JsonNode parse(String text, String what) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(what + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static void write(Path file, JsonNode node) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, MAPPER.writeValueAsString(node) + "\n");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    public static String compact(JsonNode node) {
        try {
            return new ObjectMapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** A required object field. */
    public static JsonNode field(JsonNode node, String name, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new InvalidInputException(where + ": missing field \"" + name + "\"");
        }
        return v;
    }

    public static String text(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        if (!v.isTextual()) {
            throw new InvalidInputException(where + ": field \"" + name + "\" must be a string");
        }
        return v.asText();
    }

    public static double number(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        if (!v.isNumber()) {
            throw new InvalidInputException(where + ": field \"" + name + "\" must be a number");
        }
        return v.asDouble();
    }

    public static double number(JsonNode node, String name, double dflt, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new InvalidInputException(where + ": field \"" + name + "\" must be a number");
        }
        return v.asDouble();
    }

    public static int integer(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw new InvalidInputException(where + ": field \"" + name + "\" must be an integer");
        }
        return v.asInt();
    }

    public static int integer(JsonNode node, String name, int dflt, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        return integer(node, name, where);
    }
}
