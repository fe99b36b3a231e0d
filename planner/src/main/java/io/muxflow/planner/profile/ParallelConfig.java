package io.muxflow.planner.profile;

/**
 * A parallel configuration of one model replica: data parallel degree {@code dp}, intra-operator
 * (tensor) parallel degree {@code op} and number of pipeline stages {@code pp}. A group running this
 * configuration holds {@code dp * op * pp} devices; each pipeline stage spans {@code op} devices.
 */
public record ParallelConfig(int dp, int op, int pp) implements Comparable<ParallelConfig> {

    public ParallelConfig {
        if (dp < 1 || op < 1 || pp < 1) {
            throw new IllegalArgumentException(
                    "parallel degrees must be >= 1, got dp=" + dp + " op=" + op + " pp=" + pp);
        }
    }

    public static ParallelConfig of(int op, int pp) {
        return new ParallelConfig(1, op, pp);
    }

    public int devices() {
        return dp * op * pp;
    }

    @Override
    public int compareTo(ParallelConfig o) {
        if (dp != o.dp) {
            return Integer.compare(dp, o.dp);
        }
        if (op != o.op) {
            return Integer.compare(op, o.op);
        }
        return Integer.compare(pp, o.pp);
    }

    @Override
    public String toString() {
        return "(dp=" + dp + ",op=" + op + ",pp=" + pp + ")";
    }
}
