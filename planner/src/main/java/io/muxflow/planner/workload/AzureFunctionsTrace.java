package io.muxflow.planner.workload;

import io.muxflow.planner.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public Azure Functions traces, read into per-function arrival data.
 *
 * <ul>
 *   <li>2019 ({@link #readV1}): one CSV per day, one row per function ({@code HashOwner, HashApp,
 *       HashFunction, Trigger, 1..1440}): invocations per minute. Days are concatenated in the
 *       order given; a function missing from a day counts zero there.</li>
 *   <li>2021 ({@link #readV2}): one CSV of invocation records ({@code app, func, end_timestamp,
 *       duration}, seconds); an invocation arrived at {@code end_timestamp - duration}.</li>
 * </ul>
 */
public final class AzureFunctionsTrace {
    private final Map<String, int[]> perMinute;      // 2019: counts per minute since trace start
    private final Map<String, double[]> arrivals;    // 2021: sorted arrival seconds

    private AzureFunctionsTrace(Map<String, int[]> perMinute, Map<String, double[]> arrivals) {
        this.perMinute = perMinute;
        this.arrivals = arrivals;
    }

    public boolean isPerMinute() {
        return perMinute != null;
    }

    public Map<String, int[]> perMinuteCounts() {
        return perMinute;
    }

    public Map<String, double[]> arrivals() {
        return arrivals;
    }

    public static AzureFunctionsTrace readV1(List<Path> dayFiles) {
        if (dayFiles.isEmpty()) {
            throw new InvalidInputException("azure 2019 trace: no day files given");
        }
        Map<String, int[]> counts = new LinkedHashMap<>();
        int days = dayFiles.size();
        for (int d = 0; d < days; d++) {
            Path f = dayFiles.get(d);
            try (BufferedReader r = Files.newBufferedReader(f)) {
                String header = r.readLine();
                if (header == null) {
                    throw new InvalidInputException(f + ": empty file");
                }
                String[] h = header.split(",", -1);
                int fnCol = indexOf(h, "HashFunction", f);
                int firstMinute = indexOf(h, "1", f);
                if (firstMinute + 1440 > h.length || !h[firstMinute + 1439].trim().equals("1440")) {
                    throw new InvalidInputException(f + ": line 1: expected minute columns 1..1440");
                }
                String line;
                int lineNo = 1;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    String[] v = line.split(",", -1);
                    if (v.length != h.length) {
                        throw new InvalidInputException(f + ": line " + lineNo + ": expected " + h.length
                                + " fields, got " + v.length);
                    }
                    int[] series = counts.computeIfAbsent(v[fnCol], k -> new int[days * 1440]);
                    for (int m = 0; m < 1440; m++) {
                        String c = v[firstMinute + m].trim();
                        try {
                            series[d * 1440 + m] += Integer.parseInt(c);
                        } catch (NumberFormatException e) {
                            throw new InvalidInputException(f + ": line " + lineNo + ": minute " + (m + 1)
                                    + " count '" + c + "' is not an integer");
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                throw new InvalidInputException(f + ": no such file");
            } catch (IOException e) {
                throw new InvalidInputException(f + ": cannot read: " + e.getMessage(), e);
            }
        }
        return new AzureFunctionsTrace(counts, null);
    }

    public static AzureFunctionsTrace readV2(Path file) {
        Map<String, List<Double>> tmp = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String header = r.readLine();
            if (header == null) {
                throw new InvalidInputException(file + ": empty file");
            }
            String[] h = header.split(",", -1);
            int appCol = indexOf(h, "app", file);
            int fnCol = indexOf(h, "func", file);
            int endCol = indexOf(h, "end_timestamp", file);
            int durCol = indexOf(h, "duration", file);
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] v = line.split(",", -1);
                if (v.length != h.length) {
                    throw new InvalidInputException(file + ": line " + lineNo + ": expected " + h.length
                            + " fields, got " + v.length);
                }
                double end;
                double dur;
                try {
                    end = Double.parseDouble(v[endCol].trim());
                    dur = Double.parseDouble(v[durCol].trim());
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(file + ": line " + lineNo
                            + ": end_timestamp and duration must be numbers");
                }
                tmp.computeIfAbsent(v[appCol] + "/" + v[fnCol], k -> new ArrayList<>()).add(end - dur);
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": no such file");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, double[]> arr = new LinkedHashMap<>();
        tmp.forEach((k, v) -> {
            double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(a);
            arr.put(k, a);
        });
        return new AzureFunctionsTrace(null, arr);
    }

    private static int indexOf(String[] header, String name, Path f) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].trim().equals(name)) {
                return i;
            }
        }
        throw new InvalidInputException(f + ": line 1: no column '" + name + "' in the header");
    }
}
