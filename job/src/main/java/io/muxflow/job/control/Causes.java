package io.muxflow.job.control;

/** The innermost cause of a failure, whose message is the one worth showing a user. */
final class Causes {
    private Causes() {
    }

    static Throwable root(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
