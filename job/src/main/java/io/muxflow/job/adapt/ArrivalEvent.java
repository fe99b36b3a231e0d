package io.muxflow.job.adapt;

/** A request's arrival as the adaptation side stream sees it (a Flink POJO): model, event time, SLO. */
public class ArrivalEvent {
    public String model;
    public long sendUs;
    public long sloUs;

    public ArrivalEvent() {
    }

    public ArrivalEvent(String model, long sendUs, long sloUs) {
        this.model = model;
        this.sendUs = sendUs;
        this.sloUs = sloUs;
    }
}
