package io.muxflow.job.adapt;

/** A response's outcome for the statistics (a Flink POJO): served within its SLO or not. */
public class OutcomeEvent {
    public String model;
    public long sendUs;
    public boolean good;

    public OutcomeEvent() {
    }

    public OutcomeEvent(String model, long sendUs, boolean good) {
        this.model = model;
        this.sendUs = sendUs;
        this.good = good;
    }
}
