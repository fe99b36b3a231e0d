package io.muxflow.job.control;

import io.muxflow.planner.plan.Plan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redeploys through a savepoint: stop the running job with a savepoint (recorded), submit the job for
 * the candidate plan restored from it (stage layers may change; every other operator keeps its uid
 * and state), and wait until every task runs. If the stop fails, the old job keeps serving. If the
 * new job does not come up, it is cancelled and the old plan is resubmitted from the same savepoint,
 * so service continues on the old plan; the outcome says what happened.
 */
public final class SavepointRealizer implements PlacementRealizer {
    private static final Logger LOG = LoggerFactory.getLogger(SavepointRealizer.class);
    private final ClusterAccess cluster;
    private final JobGraphFactory factory;
    private final String savepointDir;
    private final long startTimeoutMs;
    private final AtomicReference<JobID> running;
    private volatile long lastDowntimeMs = -1;

    public SavepointRealizer(ClusterAccess cluster, JobGraphFactory factory, String savepointDir, long startTimeoutMs,
            JobID runningJob) {
        this.cluster = cluster;
        this.factory = factory;
        this.savepointDir = savepointDir;
        this.startTimeoutMs = startTimeoutMs;
        this.running = new AtomicReference<>(runningJob);
    }

    public JobID runningJob() {
        return running.get();
    }

    public void setRunningJob(JobID id) {
        running.set(id);
    }

    @Override
    public Outcome realize(Plan current, Plan candidate) {
        Map<String, Double> t = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        String savepoint;
        try {
            savepoint = cluster.stopWithSavepoint(running.get(), savepointDir);
        } catch (Exception e) {
            return new Outcome(false, "stop-with-savepoint failed (" + rootMessage(e) + "); the job keeps serving plan v"
                    + current.version(), null, t);
        }
        long t1 = System.nanoTime();
        t.put("savepoint", (t1 - t0) / 1e6);
        LOG.info("controller: plan v{} stopped with savepoint {}", current.version(), savepoint);
        JobID next = null;
        String failure;
        try {
            next = cluster.submit(factory.create(candidate, savepoint, lastDowntimeMs));
            long t2 = System.nanoTime();
            t.put("submit", (t2 - t1) / 1e6);
            if (cluster.awaitRunning(next, startTimeoutMs)) {
                long t3 = System.nanoTime();
                double load = Double.NaN;
                for (int i = 0; i < 20 && Double.isNaN(load); i++) {
                    load = cluster.maxStageMetric(next, "loadMs"); // metrics reach the REST views with a delay
                    if (Double.isNaN(load)) {
                        Thread.sleep(250);
                    }
                }
                double startup = (t3 - t2) / 1e6;
                t.put("weight_load", Double.isNaN(load) ? 0 : load);
                t.put("restore", Math.max(0, startup - (Double.isNaN(load) ? 0 : load)));
                t.put("total", (t3 - t0) / 1e6);
                lastDowntimeMs = (long) ((t3 - t0) / 1e6);
                running.set(next);
                return new Outcome(true, "plan v" + candidate.version() + " runs (restored from " + savepoint + ")",
                        savepoint, t);
            }
            failure = "plan v" + candidate.version() + " did not start within " + startTimeoutMs + " ms";
        } catch (Exception e) {
            failure = "submitting plan v" + candidate.version() + " failed (" + rootMessage(e) + ")";
        }
        if (next != null) {
            try {
                cluster.cancel(next);
            } catch (Exception ignored) {
                // it may not exist any more
            }
        }
        try {
            JobID back = cluster.submit(factory.create(current, savepoint, lastDowntimeMs));
            if (!cluster.awaitRunning(back, startTimeoutMs)) {
                return new Outcome(false, failure + "; restoring plan v" + current.version() + " from " + savepoint
                        + " did not come up either", savepoint, t);
            }
            running.set(back);
            return new Outcome(false, failure + "; service restored on plan v" + current.version() + " from " + savepoint,
                    savepoint, t);
        } catch (Exception e) {
            return new Outcome(false, failure + "; restoring plan v" + current.version() + " failed too ("
                    + rootMessage(e) + ")", savepoint, t);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable c = Causes.root(e);
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
