package io.muxflow.job.adapt;

/** One model's statistics over a sliding window (a Flink POJO); NaN where undefined. */
public class ModelStatsEvent {
    public String model;
    public long windowStartUs;
    public long windowEndUs;
    public long count;
    public double rate;
    public double cv;
    public double attainment;
    public long responses;

    public ModelStatsEvent() {
    }

    public static ModelStatsEvent of(String model, ArrivalWindow.Stats s) {
        ModelStatsEvent e = new ModelStatsEvent();
        e.model = model;
        e.windowStartUs = s.startUs();
        e.windowEndUs = s.endUs();
        e.count = s.count();
        e.rate = s.rate();
        e.cv = s.cv();
        e.attainment = s.attainment();
        e.responses = s.responses();
        return e;
    }
}
