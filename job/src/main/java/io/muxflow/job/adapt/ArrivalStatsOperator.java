package io.muxflow.job.adapt;

import io.muxflow.job.metrics.ModelNames;
import io.muxflow.job.model.Clocks;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Collect (after the autoscaler's ScalingMetricCollector): keyed by model, arrivals and response
 * outcomes in event time (the client's send time) go into a sliding window; every slide the window
 * ending {@code lateness} before the latest event seen is summarized (count, rate, cv of gaps,
 * attainment) and emitted. The windows are deliberately not checkpointed: after a restart or a
 * redeploy the history starts empty, so samples from the old plan or the stabilization period do not
 * leak into the new plan's statistics. Only models of the plan have a window and a timer: events of
 * other names (client text on INVALID requests) are dropped here, so they never create state. Its
 * gauge {@code model.<m>.attainment} is each model's SLO attainment over the last window, from every
 * response, whichever operator answered it.
 */
public final class ArrivalStatsOperator extends KeyedCoProcessFunction<String, ArrivalEvent, OutcomeEvent, ModelStatsEvent> {
    private static final long serialVersionUID = 1L;
    private final long windowUs;
    private final long slideUs;
    private final long latenessUs;
    private final ModelNames names;
    private transient Map<String, ArrivalWindow> windows;
    private transient Map<String, Long> latest;
    private transient Map<String, Boolean> scheduled;

    public ArrivalStatsOperator(long windowUs, long slideUs, long latenessUs, ModelNames names) {
        this.names = names;
        this.windowUs = windowUs;
        this.slideUs = slideUs;
        this.latenessUs = latenessUs;
    }

    /** Per model, the attainment of the last window emitted: the dashboard's and Prometheus' attainment. */
    private transient Map<String, Double> attainment;

    @Override
    public void open(OpenContext ctx) {
        windows = new HashMap<>();
        latest = new HashMap<>();
        scheduled = new HashMap<>();
        attainment = new java.util.concurrent.ConcurrentHashMap<>();
        for (String m : names.known()) {
            getRuntimeContext().getMetricGroup().addGroup("model", m).gauge("attainment",
                    (org.apache.flink.metrics.Gauge<Double>) () -> attainment.getOrDefault(m, Double.NaN));
        }
    }

    private ArrivalWindow window(String model) {
        return windows.computeIfAbsent(model, m -> new ArrivalWindow(windowUs));
    }

    private void schedule(String model, Context ctx) {
        if (scheduled.putIfAbsent(model, true) == null) {
            ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + slideUs / 1000);
        }
    }

    @Override
    public void processElement1(ArrivalEvent a, Context ctx, Collector<ModelStatsEvent> out) {
        if (!names.isKnown(a.model)) {
            return;
        }
        window(a.model).arrival(a.sendUs);
        latest.merge(a.model, a.sendUs, Math::max);
        schedule(a.model, ctx);
    }

    @Override
    public void processElement2(OutcomeEvent o, Context ctx, Collector<ModelStatsEvent> out) {
        if (!names.isKnown(o.model)) {
            return;
        }
        window(o.model).outcome(o.sendUs, o.good);
        schedule(o.model, ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ModelStatsEvent> out) {
        String model = ctx.getCurrentKey();
        ArrivalWindow w = windows.get(model);
        long end = Math.max(latest.getOrDefault(model, 0L), Clocks.nowUs()) - latenessUs;
        if (w != null) {
            ModelStatsEvent e = ModelStatsEvent.of(model, w.slide(end));
            if (!Double.isNaN(e.attainment)) {
                attainment.put(model, e.attainment);
            }
            out.collect(e);
        }
        ctx.timerService().registerProcessingTimeTimer(timestamp + slideUs / 1000);
    }
}
