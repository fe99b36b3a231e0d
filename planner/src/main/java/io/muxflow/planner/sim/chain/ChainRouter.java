package io.muxflow.planner.sim.chain;

/**
 * Routes chain-structured jobs in the {@link ChainSimulator}: decides on each arrival which route
 * (chain, or server path) a job takes and when it starts, and hands freed capacity on completion.
 * A router is stateful and used by one simulation at a time.
 */
public interface ChainRouter {
    String name();

    /** Forgets all jobs; called before a run. */
    void reset();

    /** A job arrives: start it at once through {@code d}, or keep it waiting. */
    void arrive(int job, Dispatch d);

    /** A job finished on {@code route}: release what it held and start waiting jobs through {@code d}. */
    void complete(int job, int route, Dispatch d);

    /**
     * The servers of route {@code route} and the blocks a job runs on each: a chain for routers that
     * route over fixed chains, the job's own path for per-job routers (valid while that job runs).
     */
    int[][] route(int route);

    /** Starts jobs; the simulator draws the actual service time from the mean given. */
    interface Dispatch {
        void start(int job, int route, double meanServiceS);
    }
}
