package io.muxflow.schema.codec;

import io.muxflow.schema.DeadLetter;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ModelArrivalStats;
import io.muxflow.schema.PlacementPlan;
import java.io.IOException;
import java.io.InputStream;
import org.apache.avro.Schema;

/** One codec per topic record type; the published .avsc files are resources under io/muxflow/schema/avsc. */
public final class Codecs {
    public static final AvroCodec<InferenceRequest> REQUEST = new AvroCodec<>(InferenceRequest.getClassSchema());
    public static final AvroCodec<InferenceResponse> RESPONSE = new AvroCodec<>(InferenceResponse.getClassSchema());
    public static final AvroCodec<DeadLetter> DEAD_LETTER = new AvroCodec<>(DeadLetter.getClassSchema());
    public static final AvroCodec<ModelArrivalStats> STATS = new AvroCodec<>(ModelArrivalStats.getClassSchema());
    public static final AvroCodec<PlacementPlan> PLAN = new AvroCodec<>(PlacementPlan.getClassSchema());

    private Codecs() {
    }

    /** The published schema file {@code name}.avsc. */
    public static Schema published(String name) {
        try (InputStream in = Codecs.class.getResourceAsStream("/io/muxflow/schema/avsc/" + name + ".avsc")) {
            if (in == null) {
                throw new IllegalArgumentException("no published schema " + name);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
