package io.muxflow.job.metrics;

import java.io.Serializable;
import java.util.Collection;
import java.util.Set;

/**
 * The model names a plan serves, and one shared bucket for every other name. A model name in a
 * request is client text: a metric group, a statistics window or a timer per name would let any
 * client grow the job's state without bound (100,000 distinct names, 100,000 metric groups). Every
 * name the plan does not serve is counted under {@link #UNKNOWN} instead.
 */
public final class ModelNames implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The bucket of names no plan model has (parentheses: no plan can name a model so). */
    public static final String UNKNOWN = "(unknown)";

    private final Set<String> known;

    public ModelNames(Collection<String> known) {
        this.known = Set.copyOf(known);
    }

    /** The plan's model names. */
    public java.util.Set<String> known() {
        return known;
    }

    public boolean isKnown(String name) {
        return name != null && known.contains(name);
    }

    /** The name to count {@code name} under: itself when the plan serves it, the shared bucket otherwise. */
    public String bucket(String name) {
        return isKnown(name) ? name : UNKNOWN;
    }
}
