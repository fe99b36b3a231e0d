package io.muxflow.job.control;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes failed checkpoints visible: reads Flink's checkpoint statistics of the running job
 * ({@code GET /jobs/:id/checkpoints}) and logs the cause of each newly failed checkpoint once, at
 * WARN, under muxflow's own logger (Flink's CheckpointFailureManager is too chatty to leave on, so its
 * own lines are silenced in the local stack). Flink also counts them in the job metric
 * {@code numberOfFailedCheckpoints} (Prometheus: {@code flink_jobmanager_job_numberOfFailedCheckpoints}).
 */
public final class CheckpointWatch {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWatch.class);

    /** What the last poll saw: counts and the latest failure (id -1 and an empty cause when none). */
    public record Status(long completed, long failed, long lastFailedId, String lastCause) {
        public String summary() {
            if (failed == 0) {
                return String.format("checkpoints: %d completed, none failed", completed);
            }
            // Flink keeps details only of checkpoints that started; one refused at its trigger (say, while
            // tasks are still starting) is counted without them
            return String.format("checkpoints: %d completed, %d failed (%s)", completed, failed, lastFailedId < 0
                    ? "none with details: they failed at their trigger, before starting"
                    : "latest: #" + lastFailedId + ", " + lastCause);
        }
    }

    private long lastLoggedId = -1;
    private int logged;
    private Status last = new Status(0, 0, -1, "");

    /** Reads a {@code /jobs/:id/checkpoints} response; logs a failure not seen before. */
    public Status update(JsonNode stats) {
        JsonNode counts = stats.path("counts");
        JsonNode failed = stats.path("latest").path("failed");
        long id = failed.isMissingNode() || failed.isNull() ? -1 : failed.path("id").asLong(-1);
        String cause = id < 0 ? "" : failed.path("failure_message").asText("no cause given");
        last = new Status(counts.path("completed").asLong(), counts.path("failed").asLong(), id, firstLine(cause));
        if (id >= 0 && id != lastLoggedId) {
            lastLoggedId = id;
            logged++;
            LOG.warn("checkpoint #{} failed ({} failed in all): {}", id, last.failed(), cause);
        }
        return last;
    }

    /** How many failures were logged. */
    public int logged() {
        return logged;
    }

    public Status last() {
        return last;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
