package io.muxflow.job.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.model.RawRecord;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hostile payloads through the validate operator's logic (decoding included): every one is answered
 * (INVALID, or a request when a bit flip left it well formed), none throws, and none makes decoding
 * allocate more than a bound proportional to its size. The 39-byte request of issue 21 (a valid
 * header, then a token array claiming 10^9 items) once allocated gigabytes here.
 */
class RequestValidationFuzzTest {
    static final int MAX_BYTES = 64 * 1024;
    /** Decoding boxes each int and float of the message (about 24 bytes of heap per byte); plus fixed costs. */
    static final long BYTES_PER_BYTE = 64;
    static final long FIXED_BYTES = 2L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void tenThousandHostilePayloadsAreAnsweredWithBoundedAllocation() {
        List<HostilePayloads.Payload> payloads = new HostilePayloads(21).generate(12_000);
        Map<String, int[]> byKind = new HashMap<>(); // kind -> {count, invalid, accepted}
        long worstRatio = 0;
        String worst = "";
        for (int i = 0; i < payloads.size(); i++) {
            HostilePayloads.Payload p = payloads.get(i);
            RawRecord raw = new RawRecord("t", 0, i, "a".getBytes(), p.bytes(), System.currentTimeMillis() * 1000);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            RequestValidation.Outcome o = RequestValidation.validate(raw, RequestValidationTest.PLAN, MAX_BYTES);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            long bound = FIXED_BYTES + BYTES_PER_BYTE * p.bytes().length;
            assertThat(allocated).as("%s payload #%d of %d bytes allocated %d bytes", p.kind(), i, p.bytes().length,
                    allocated).isLessThanOrEqualTo(bound);
            if (allocated > worstRatio) {
                worstRatio = allocated;
                worst = p.kind() + " of " + p.bytes().length + " bytes";
            }
            int[] c = byKind.computeIfAbsent(p.kind(), k -> new int[3]);
            c[0]++;
            assertThat(o.request() == null).as("exactly one of request and reply").isEqualTo(o.reply() != null);
            if (o.reply() != null) {
                assertThat(o.reply().status).as(p.kind() + ": " + o.reply().detail).isIn("INVALID", "REJECTED");
                assertThat(o.reply().detail).isNotBlank();
                assertThat(o.reply().requestId).isNotBlank();
                if (o.reply().status.equals("INVALID")) {
                    c[1]++;
                }
            } else {
                c[2]++;
            }
        }
        System.out.printf("hostile payloads by kind {count, invalid, accepted}: %s; most allocated: %d bytes (%s)%n",
                byKind.entrySet().stream().map(e -> e.getKey() + "=" + java.util.Arrays.toString(e.getValue())).toList(),
                worstRatio, worst);
        // an inflated length field can never describe a well-formed request, nor can the hostile JSON
        assertThat(byKind.get("avro-inflated")[1]).isEqualTo(byKind.get("avro-inflated")[0]);
        assertThat(byKind.get("json-hostile")[1]).isEqualTo(byKind.get("json-hostile")[0]);
        assertThat(byKind.get("random")[1]).isEqualTo(byKind.get("random")[0]);
    }

    @Test
    void theThirtyNineByteRequestIsInvalidAndNamesTheLengthItClaims() {
        byte[] b = new HostilePayloads(1).inflatedAvroWithTokenCount(1_000_000_000L);
        assertThat(b.length).isLessThanOrEqualTo(64);
        RequestValidation.Outcome o = RequestValidation.validate(new RawRecord("t", 0, 0, null, b, 1), RequestValidationTest.PLAN,
                MAX_BYTES);
        assertThat(o.reply().status).isEqualTo("INVALID");
        assertThat(o.reply().detail).contains("token_ids claims 1000000000 items");
        assertThat(o.deadLetter()).isNotNull();
    }
}
