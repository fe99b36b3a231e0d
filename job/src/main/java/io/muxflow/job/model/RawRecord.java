package io.muxflow.job.model;

/** One Kafka record of the requests topic, undecoded (a Flink POJO). */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public byte[] key;
    public byte[] value;
    public long receivedUs;

    public RawRecord() {
    }

    public RawRecord(String topic, int partition, long offset, byte[] key, byte[] value, long receivedUs) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.value = value;
        this.receivedUs = receivedUs;
    }
}
