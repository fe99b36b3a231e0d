package io.muxflow.planner.workload;

import io.muxflow.planner.InvalidInputException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trace format of ARCHITECTURE.md: CSV with header {@code arrival_s,model[,slo_s]}, one request
 * per line, sorted by arrival. Errors name the file and the line.
 */
public final class TraceCsv {
    private TraceCsv() {
    }

    /**
     * Reads a trace. With {@code declared} non-null, every model must be one of them and the
     * workload is indexed by that list; otherwise models are indexed in order of first appearance.
     */
    public static Workload read(Path file, List<String> declared) {
        List<String> models = declared == null ? new ArrayList<>() : new ArrayList<>(declared);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < models.size(); i++) {
            index.put(models.get(i), i);
        }
        List<double[]> rows = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String header = r.readLine();
            if (header == null) {
                throw new InvalidInputException(file + ": empty file (expected header arrival_s,model[,slo_s])");
            }
            String[] h = header.trim().split(",", -1);
            boolean hasSlo = h.length == 3 && h[2].trim().equals("slo_s");
            if (h.length < 2 || !h[0].trim().equals("arrival_s") || !h[1].trim().equals("model")
                    || (h.length == 3 && !hasSlo) || h.length > 3) {
                throw new InvalidInputException(file + ": line 1: header must be arrival_s,model[,slo_s], got '"
                        + header + "'");
            }
            String line;
            int lineNo = 1;
            double last = Double.NEGATIVE_INFINITY;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != h.length) {
                    throw new InvalidInputException(file + ": line " + lineNo + ": expected " + h.length
                            + " fields, got " + f.length + ": '" + line + "'");
                }
                double arrival;
                try {
                    arrival = Double.parseDouble(f[0].trim());
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(file + ": line " + lineNo + ": arrival_s '" + f[0]
                            + "' is not a number");
                }
                if (!Double.isFinite(arrival)) {
                    throw new InvalidInputException(file + ": line " + lineNo + ": arrival_s must be finite");
                }
                if (arrival < last) {
                    throw new InvalidInputException(file + ": line " + lineNo + ": arrival " + arrival
                            + " is earlier than the line before (" + last + "); the trace must be sorted");
                }
                last = arrival;
                String model = f[1].trim();
                if (model.isEmpty()) {
                    throw new InvalidInputException(file + ": line " + lineNo + ": empty model name");
                }
                Integer id = index.get(model);
                if (id == null) {
                    if (declared != null) {
                        throw new InvalidInputException(file + ": line " + lineNo + ": model '" + model
                                + "' is not declared in the workload's models");
                    }
                    id = models.size();
                    models.add(model);
                    index.put(model, id);
                }
                double slo = Double.NaN;
                if (hasSlo && !f[2].isBlank()) {
                    try {
                        slo = Double.parseDouble(f[2].trim());
                    } catch (NumberFormatException e) {
                        throw new InvalidInputException(file + ": line " + lineNo + ": slo_s '" + f[2]
                                + "' is not a number");
                    }
                    if (!(slo > 0) || Double.isInfinite(slo)) {
                        throw new InvalidInputException(file + ": line " + lineNo + ": slo_s must be > 0");
                    }
                }
                rows.add(new double[] {arrival, slo});
                ids.add(id);
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": no such file");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        int n = rows.size();
        double[] a = new double[n];
        double[] s = new double[n];
        int[] m = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = rows.get(i)[0];
            s[i] = rows.get(i)[1];
            m[i] = ids.get(i);
        }
        return new Workload(models, a, m, s);
    }

    /** Writes a trace; the slo_s column is written when any request has an SLO. */
    public static void write(Path file, Workload w) {
        boolean anySlo = false;
        for (int i = 0; i < w.size(); i++) {
            if (!Double.isNaN(w.slo(i))) {
                anySlo = true;
                break;
            }
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter out = Files.newBufferedWriter(file)) {
                out.write(anySlo ? "arrival_s,model,slo_s\n" : "arrival_s,model\n");
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < w.size(); i++) {
                    sb.setLength(0);
                    sb.append(w.arrival(i)).append(',').append(w.model(i));
                    if (anySlo) {
                        sb.append(',');
                        if (!Double.isNaN(w.slo(i))) {
                            sb.append(w.slo(i));
                        }
                    }
                    sb.append('\n');
                    out.write(sb.toString());
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}
