package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.control.CheckpointWatch;
import io.muxflow.job.control.RestClusterAccess;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.legacy.DiscardingSink;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job whose every checkpoint fails (a slow operator behind a backlog: no barrier gets through within
 * the checkpoint timeout) keeps running, and the watch reads each failure and its cause from Flink's
 * REST API, logging each failed checkpoint once.
 */
class CheckpointWatchIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    /** A map slower than its input, so that barriers wait behind a backlog of buffered records. */
    static final class Slow implements MapFunction<Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long map(Long v) throws Exception {
            Thread.sleep(2);
            return v;
        }
    }

    @Test
    void failedCheckpointsAreCountedAndTheirCauseReadOnce(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 1000);
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(200);
        env.fromSequence(0, Long.MAX_VALUE).rebalance().map(new Slow()).addSink(new DiscardingSink<>());
        JobClient job = env.executeAsync("checkpoints-time-out");
        CheckpointWatch watch = new CheckpointWatch();
        Set<Long> failedIds = new HashSet<>();
        try (RestClusterAccess rest = new RestClusterAccess(cluster.getRestAddress().get())) {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (failedIds.size() < 3 && System.nanoTime() < end) {
                CheckpointWatch.Status s;
                try {
                    s = watch.update(rest.checkpoints(job.getJobID()));
                    watch.update(rest.checkpoints(job.getJobID())); // a second read of the same failure logs nothing
                } catch (IllegalStateException e) {
                    Thread.sleep(100); // HTTP 500 while the job master is still initializing
                    continue;
                }
                if (s.lastFailedId() >= 0) {
                    failedIds.add(s.lastFailedId());
                }
                Thread.sleep(100);
            }
            CheckpointWatch.Status s = watch.last();
            assertThat(s.failed()).isGreaterThanOrEqualTo(3);
            assertThat(s.completed()).isZero();
            assertThat(s.lastCause()).isNotBlank();
            assertThat(s.summary()).contains(s.failed() + " failed").contains("#" + s.lastFailedId());
            assertThat(watch.logged()).as("one log line per failed checkpoint seen").isEqualTo(failedIds.size());
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            System.out.println("latest failure as read: " + s.summary());
        } finally {
            job.cancel().get();
        }
    }
}
