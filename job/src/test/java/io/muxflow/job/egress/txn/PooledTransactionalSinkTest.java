package io.muxflow.job.egress.txn;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.job.KafkaServingIO;
import io.muxflow.job.config.MuxflowOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** A transaction pool too small to rotate, or over the limit, is refused when the job is built, with the option named. */
class PooledTransactionalSinkTest {
    @Test
    void aPoolOfOneIsRefusedWithAClearError() {
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.TRANSACTION_POOL, 1);
        assertThatThrownBy(() -> new KafkaServingIO(conf).responses())
                .isInstanceOf(io.muxflow.planner.InvalidInputException.class)
                .hasMessageContaining("muxflow.sink.transaction-pool must be at least 2")
                .hasMessageContaining("got 1");
    }

    @Test
    void aPoolOverTheLimitIsRefusedWithAClearError() {
        Configuration conf = new Configuration();
        conf.set(MuxflowOptions.TRANSACTION_POOL, PooledTransactionalSink.MAX_POOL_SIZE + 1);
        assertThatThrownBy(() -> new KafkaServingIO(conf).responses())
                .isInstanceOf(io.muxflow.planner.InvalidInputException.class)
                .hasMessageContaining("muxflow.sink.transaction-pool must be at most 64")
                .hasMessageContaining("got 65");
    }
}
