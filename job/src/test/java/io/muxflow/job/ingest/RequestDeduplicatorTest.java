package io.muxflow.job.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Idempotent request ids in Flink's operator harness: a re-sent id within the retention is answered, not run. */
class RequestDeduplicatorTest {
    static ServingRequest request(String id, long receivedUs) {
        ServingRequest r = new ServingRequest();
        r.requestId = id;
        r.model = "a";
        r.receivedUs = receivedUs;
        r.clientSendUs = receivedUs;
        r.deadlineUs = receivedUs + 1_000_000;
        return r;
    }

    @Test
    void aResentIdIsRejectedNamingTheFirstArrivalUntilTheRetentionPasses() throws Exception {
        long retentionUs = 30_000_000;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                new RequestDeduplicator(retentionUs)), (ServingRequest r) -> r.requestId, Types.STRING)) {
            h.open();
            h.setStateTtlProcessingTime(1_000);
            h.processElement(new StreamRecord<>(request("x", 1_700_000_000_000_000L)));
            h.processElement(new StreamRecord<>(request("y", 1_700_000_000_100_000L)));
            h.setStateTtlProcessingTime(21_000); // 20 s later: within the retention
            h.processElement(new StreamRecord<>(request("x", 1_700_000_020_000_000L)));
            List<ServingRequest> run = h.extractOutputValues();
            assertThat(run).extracting(r -> r.requestId).containsExactly("x", "y");
            List<Reply> dup = h.getSideOutput(RequestDeduplicator.DUPLICATES).stream().map(StreamRecord::getValue)
                    .toList();
            assertThat(dup).hasSize(1);
            assertThat(dup.get(0).status).isEqualTo("REJECTED");
            assertThat(dup.get(0).requestId).isEqualTo("x");
            assertThat(dup.get(0).detail).contains("duplicate request id 'x'")
                    .contains("first received at 2023-11-14T22:13:20Z").contains("20000.0 ms earlier");
            // past the retention the id is new again
            h.setStateTtlProcessingTime(32_000);
            h.processElement(new StreamRecord<>(request("x", 1_700_000_031_000_000L)));
            assertThat(h.extractOutputValues()).extracting(r -> r.requestId).containsExactly("x", "y", "x");
        }
    }
}
