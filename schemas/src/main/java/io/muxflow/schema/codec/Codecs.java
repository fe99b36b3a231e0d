package io.muxflow.schema.codec;

import io.muxflow.schema.DeadLetter;
import io.muxflow.schema.GeneratedToken;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ModelArrivalStats;
import io.muxflow.schema.PlacementPlan;
import java.io.IOException;
import java.io.InputStream;
import org.apache.avro.Schema;

/** One codec per topic record type; the published .avsc files are resources under io/muxflow/schema/avsc. */
public final class Codecs {
    /** Decodes requests written with this version of the schema or any earlier one (schema history). */
    public static final AvroCodec<InferenceRequest> REQUEST = new AvroCodec<InferenceRequest>(
            InferenceRequest.getClassSchema()).addWriterSchema(history("InferenceRequest-v1"))
            .addWriterSchema(history("InferenceRequest-v2"));
    public static final AvroCodec<InferenceResponse> RESPONSE = new AvroCodec<>(InferenceResponse.getClassSchema());
    public static final AvroCodec<DeadLetter> DEAD_LETTER = new AvroCodec<>(DeadLetter.getClassSchema());
    public static final AvroCodec<ModelArrivalStats> STATS = new AvroCodec<>(ModelArrivalStats.getClassSchema());
    public static final AvroCodec<PlacementPlan> PLAN = new AvroCodec<>(PlacementPlan.getClassSchema());
    public static final AvroCodec<GeneratedToken> TOKEN = new AvroCodec<>(GeneratedToken.getClassSchema());

    private Codecs() {
    }

    /** The published schema file {@code name}.avsc. */
    public static Schema published(String name) {
        return read("/io/muxflow/schema/avsc/" + name + ".avsc");
    }

    /** An earlier published version, {@code NAME-vN}. */
    public static Schema history(String nameAndVersion) {
        return read("/io/muxflow/schema/avsc/history/" + nameAndVersion + ".avsc");
    }

    private static Schema read(String resource) {
        try (InputStream in = Codecs.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no published schema " + resource);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
