package io.muxflow.gpu.weights;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.io.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes fp32 tensors to a safetensors file as F32, F16 or BF16. */
public final class SafetensorsWriter {
    private final Map<String, float[]> data = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final Map<String, String> dtypes = new LinkedHashMap<>();

    public SafetensorsWriter put(String name, float[] values, int[] shape, String dtype) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": shape " + java.util.Arrays.toString(shape) + " has " + n
                    + " elements, values " + values.length);
        }
        if (!dtype.equals("F32") && !dtype.equals("F16") && !dtype.equals("BF16")) {
            throw new IllegalArgumentException("dtype must be F32, F16 or BF16");
        }
        data.put(name, values);
        shapes.put(name, shape.clone());
        dtypes.put(name, dtype);
        return this;
    }

    public void write(Path file) throws IOException {
        ObjectNode header = Json.object();
        long offset = 0;
        for (String name : data.keySet()) {
            int size = SafetensorsFile.dtypeSize(dtypes.get(name)) * data.get(name).length;
            ObjectNode t = header.putObject(name);
            t.put("dtype", dtypes.get(name));
            var shape = t.putArray("shape");
            for (int d : shapes.get(name)) {
                shape.add(d);
            }
            var offs = t.putArray("data_offsets");
            offs.add(offset);
            offs.add(offset + size);
            offset += size;
        }
        byte[] h = Json.compact(header).getBytes(StandardCharsets.UTF_8);
        // pad the header with spaces to 8-byte alignment, as the reference writer does
        int pad = (8 - h.length % 8) % 8;
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length + pad);
            out.write(len.array());
            out.write(h);
            for (int i = 0; i < pad; i++) {
                out.write(' ');
            }
            for (String name : data.keySet()) {
                float[] v = data.get(name);
                String dt = dtypes.get(name);
                ByteBuffer b = ByteBuffer.allocate(v.length * SafetensorsFile.dtypeSize(dt)).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    switch (dt) {
                        case "F32" -> b.putFloat(f);
                        case "F16" -> b.putShort(Dtypes.floatToHalf(f));
                        default -> b.putShort(Dtypes.floatToBf16(f));
                    }
                }
                out.write(b.array());
            }
        }
    }
}
