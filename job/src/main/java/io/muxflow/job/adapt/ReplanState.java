package io.muxflow.job.adapt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * What the re-planner keeps across checkpoints and redeploys, in a versioned binary form (it lands
 * in savepoints): the plan version it last ran under (a different version on restore means a
 * redeploy just happened), when the last redeploy happened and when it last asked for one (the
 * cooldown counts from either), and whether the current plan's observed attainment was reported.
 */
public record ReplanState(int planVersion, long lastRedeployUs, long lastRedeployDecisionUs, boolean observedReported) {
    public static final int CURRENT_VERSION = 1;

    public static ReplanState initial(int planVersion) {
        return new ReplanState(planVersion, 0, 0, false);
    }

    public byte[] serialize() {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(b);
            out.writeInt(CURRENT_VERSION);
            out.writeInt(planVersion);
            out.writeLong(lastRedeployUs);
            out.writeLong(lastRedeployDecisionUs);
            out.writeBoolean(observedReported);
            out.flush();
            return b.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ReplanState deserialize(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int v = in.readInt();
            if (v != 1) {
                throw new IllegalArgumentException("unknown re-planner state version " + v + " (this build reads 1)");
            }
            return new ReplanState(in.readInt(), in.readLong(), in.readLong(), in.readBoolean());
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt re-planner state: " + e.getMessage(), e);
        }
    }

    /** The state a job starts from after restoring {@code this} while running plan {@code version}. */
    public ReplanState restoredUnder(int version, long nowUs) {
        return version == planVersion ? this : new ReplanState(version, nowUs, lastRedeployDecisionUs, false);
    }

    public ReplanState withDecision(long nowUs) {
        return new ReplanState(planVersion, lastRedeployUs, nowUs, observedReported);
    }

    public ReplanState reported() {
        return new ReplanState(planVersion, lastRedeployUs, lastRedeployDecisionUs, true);
    }

    /** The later of the last redeploy and the last request for one: the cooldown's start. */
    public long cooldownStartUs() {
        return Math.max(lastRedeployUs, lastRedeployDecisionUs);
    }
}
