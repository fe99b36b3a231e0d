package io.muxflow.job.egress;

import io.muxflow.job.model.Reply;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.StageTiming;
import io.muxflow.schema.Timestamps;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reply -> InferenceResponse bytes, in the encoding its request came in. */
public final class Responses {
    private Responses() {
    }

    public static InferenceResponse toRecord(Reply r) {
        List<StageTiming> stages = new ArrayList<>();
        for (int k = 0; k + 1 < r.stageTimes.length; k += 2) {
            stages.add(new StageTiming(k / 2, r.stageTimes[k], r.stageTimes[k + 1]));
        }
        List<Float> out = null;
        if (r.output != null) {
            out = new ArrayList<>(r.output.length);
            for (float f : r.output) {
                out.add(f);
            }
        }
        List<Integer> shape = new ArrayList<>();
        for (int d : r.outputShape) {
            shape.add(d);
        }
        Map<String, String> attrs = new HashMap<>();
        for (int i = 0; i + 1 < r.attributes.length; i += 2) {
            attrs.put(r.attributes[i], r.attributes[i + 1]);
        }
        return InferenceResponse.newBuilder().setRequestId(r.requestId).setModel(r.model == null ? "" : r.model)
                .setStatus(ResponseStatus.valueOf(r.status)).setDetail(r.detail == null ? "" : r.detail).setOutput(out)
                .setOutputShape(shape)
                .setTimestamps(Timestamps.newBuilder().setClientSendUs(r.clientSendUs).setDeadlineUs(r.deadlineUs)
                        .setReceivedUs(r.receivedUs).setDispatchedUs(r.dispatchedUs).setStages(stages)
                        .setFinishedUs(r.finishedUs).build())
                .setGroup(r.group < 0 ? null : r.group).setPlanVersion(r.planVersion).setAttributes(attrs)
                .setTokens(boxed(r.tokens)).setFirstTokenUs(r.firstTokenUs).setTokenTimesUs(boxed(r.tokenTimesUs))
                .setChain(r.chain < 0 ? null : r.chain).setChainServers(boxed(r.chainServers)).build();
    }

    private static List<Integer> boxed(int[] a) {
        List<Integer> l = new ArrayList<>(a == null ? 0 : a.length);
        if (a != null) {
            for (int x : a) {
                l.add(x);
            }
        }
        return l;
    }

    private static List<Long> boxed(long[] a) {
        List<Long> l = new ArrayList<>(a == null ? 0 : a.length);
        if (a != null) {
            for (long x : a) {
                l.add(x);
            }
        }
        return l;
    }

    public static byte[] encode(Reply r) {
        return Codecs.RESPONSE.encode(toRecord(r), r.encoding == 1 ? Encoding.JSON : Encoding.AVRO);
    }
}
