package io.muxflow.gpu.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header mapping tensor names to
 * {@code dtype}, {@code shape} and {@code data_offsets} (relative to the end of the header), then
 * little-endian tensor data. F32, F16 and BF16 tensors are read as fp32. The header is checked
 * against the file before anything is read: a truncated file, a header that is implausibly large or
 * lies about sizes, or an unsupported dtype raises a {@link WeightException} naming the file and the
 * tensor.
 */
public final class SafetensorsFile {
    /** Headers beyond this are rejected (real ones are a few hundred KB). */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    /** One tensor's place in the file. */
    public record TensorInfo(String name, String dtype, int[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path path;
    private final long dataStart;
    private final long fileSize;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsFile(Path path, long dataStart, long fileSize, Map<String, TensorInfo> tensors) {
        this.path = path;
        this.dataStart = dataStart;
        this.fileSize = fileSize;
        this.tensors = tensors;
    }

    static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "F64", "I64", "U64" -> 8;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    public static SafetensorsFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightException(path + ": truncated: " + size + " bytes, not even a header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new WeightException(path + ": header length " + headerLen + " is implausible (limit "
                        + MAX_HEADER_BYTES + " bytes)");
            }
            if (8 + headerLen > size) {
                throw new WeightException(path + ": truncated: header says " + headerLen + " bytes, file has "
                        + (size - 8) + " after the length");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = new ObjectMapper().readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new WeightException(path + ": header is not valid JSON: " + e.getMessage());
            }
            if (header == null || !header.isObject()) {
                throw new WeightException(path + ": header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = header.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                String name = e.getKey();
                JsonNode t = e.getValue();
                String where = path + ": tensor '" + name + "'";
                String dtype = t.path("dtype").asText("");
                JsonNode shapeNode = t.get("shape");
                JsonNode offs = t.get("data_offsets");
                if (shapeNode == null || !shapeNode.isArray() || offs == null || !offs.isArray() || offs.size() != 2) {
                    throw new WeightException(where + ": header entry needs dtype, shape and data_offsets [begin, end]");
                }
                int[] shape = new int[shapeNode.size()];
                long elements = 1;
                for (int i = 0; i < shape.length; i++) {
                    long d = shapeNode.get(i).asLong(-1);
                    if (d < 0 || d > Integer.MAX_VALUE) {
                        throw new WeightException(where + ": bad dimension " + shapeNode.get(i));
                    }
                    shape[i] = (int) d;
                    elements *= d;
                }
                long begin = offs.get(0).asLong(-1);
                long end = offs.get(1).asLong(-1);
                int es = dtypeSize(dtype);
                if (es < 0) {
                    throw new WeightException(where + ": unknown dtype '" + dtype + "'");
                }
                if (begin < 0 || end < begin || end > dataSize) {
                    throw new WeightException(where + ": data_offsets [" + begin + ", " + end
                            + "] fall outside the " + dataSize + " data bytes (file truncated or header wrong)");
                }
                if (end - begin != elements * es) {
                    throw new WeightException(where + ": header says " + (end - begin) + " bytes, but shape "
                            + java.util.Arrays.toString(shape) + " of " + dtype + " needs " + elements * es);
                }
                tensors.put(name, new TensorInfo(name, dtype, shape, begin, end));
            }
            return new SafetensorsFile(path, dataStart, size, Collections.unmodifiableMap(tensors));
        } catch (NoSuchFileException e) {
            throw new WeightException(path + ": no such file");
        } catch (IOException e) {
            throw new WeightException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** Reads a floating-point tensor as fp32. */
    public float[] readFloats(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new WeightException(path + ": missing tensor '" + name + "'");
        }
        int n = Math.toIntExact(t.elements());
        float[] out = new float[n];
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(t.end() - t.begin())).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, buf, dataStart + t.begin());
            buf.flip();
            switch (t.dtype()) {
                case "F32" -> buf.asFloatBuffer().get(out);
                case "F16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Dtypes.halfToFloat(buf.getShort());
                    }
                }
                case "BF16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Dtypes.bf16ToFloat(buf.getShort());
                    }
                }
                default -> throw new WeightException(path + ": tensor '" + name + "' has dtype " + t.dtype()
                        + "; weights must be F32, F16 or BF16");
            }
        } catch (IOException e) {
            throw new WeightException(path + ": cannot read tensor '" + name + "': " + e.getMessage(), e);
        }
        return out;
    }

    public long fileSize() {
        return fileSize;
    }
}
