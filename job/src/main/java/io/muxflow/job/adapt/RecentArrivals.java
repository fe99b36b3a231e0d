package io.muxflow.job.adapt;

import io.muxflow.planner.workload.Workload;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded sample of recent arrivals (the last window, at most {@code maxSize}, oldest dropped
 * first), turned into a workload the simulator and the planner can replay.
 */
public final class RecentArrivals {
    private final long windowUs;
    private final int maxSize;
    private final ArrayDeque<ArrivalEvent> events = new ArrayDeque<>();

    public RecentArrivals(long windowUs, int maxSize) {
        this.windowUs = windowUs;
        this.maxSize = maxSize;
    }

    public void add(ArrivalEvent e) {
        events.addLast(e);
        while (events.size() > maxSize) {
            events.pollFirst();
        }
    }

    public int size() {
        return events.size();
    }

    /** Arrivals within the window ending at {@code nowUs}, over the given model list (others dropped). */
    public Workload workload(List<String> models, long nowUs) {
        while (!events.isEmpty() && events.peekFirst().sendUs < nowUs - windowUs) {
            events.pollFirst();
        }
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < models.size(); i++) {
            idx.put(models.get(i), i);
        }
        ArrivalEvent[] e = events.stream().filter(a -> idx.containsKey(a.model)).toArray(ArrivalEvent[]::new);
        Arrays.sort(e, (a, b) -> Long.compare(a.sendUs, b.sendUs));
        double[] t = new double[e.length];
        int[] m = new int[e.length];
        double[] s = new double[e.length];
        for (int i = 0; i < e.length; i++) {
            t[i] = e[i].sendUs / 1e6;
            m[i] = idx.get(e[i].model);
            s[i] = e[i].sloUs / 1e6;
        }
        return new Workload(models, t, m, s);
    }
}
