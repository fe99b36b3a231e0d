package io.muxflow.job.model;

import java.nio.ByteBuffer;

/**
 * A stage's completion of one request, sent back to the dispatcher on the stage-reports topic so it
 * can correct its predicted clocks when reality runs behind. Internal: a fixed 40-byte layout, not a
 * published format.
 */
public class StageReport {
    public int planVersion;
    public int group;
    public int stage;
    public long predictedEndUs;
    public long shiftAtDispatchUs;
    public long actualEndUs;

    public StageReport() {
    }

    public StageReport(int planVersion, int group, int stage, long predictedEndUs, long shiftAtDispatchUs,
            long actualEndUs) {
        this.planVersion = planVersion;
        this.group = group;
        this.stage = stage;
        this.predictedEndUs = predictedEndUs;
        this.shiftAtDispatchUs = shiftAtDispatchUs;
        this.actualEndUs = actualEndUs;
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(36).putInt(planVersion).putInt(group).putInt(stage).putLong(predictedEndUs)
                .putLong(shiftAtDispatchUs).putLong(actualEndUs).array();
    }

    public static StageReport fromBytes(byte[] b) {
        if (b == null || b.length != 36) {
            return null;
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new StageReport(bb.getInt(), bb.getInt(), bb.getInt(), bb.getLong(), bb.getLong(), bb.getLong());
    }
}
