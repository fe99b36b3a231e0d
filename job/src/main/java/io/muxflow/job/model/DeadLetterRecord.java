package io.muxflow.job.model;

/** Undecodable request bytes and why (a Flink POJO), for the dead-letter topic. */
public class DeadLetterRecord {
    public String topic;
    public int partition;
    public long offset;
    public byte[] key;
    public byte[] value;
    public String reason;
    public long receivedUs;

    public DeadLetterRecord() {
    }

    public DeadLetterRecord(RawRecord raw, String reason) {
        this.topic = raw.topic;
        this.partition = raw.partition;
        this.offset = raw.offset;
        this.key = raw.key;
        this.value = raw.value;
        this.reason = reason;
        this.receivedUs = raw.receivedUs;
    }
}
