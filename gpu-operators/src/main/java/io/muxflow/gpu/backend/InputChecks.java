package io.muxflow.gpu.backend;

import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageSpec;

/** Shape checks every backend applies before touching the device. */
public final class InputChecks {
    private InputChecks() {
    }

    /** Built only for an error: every request passes through here. */
    private static String where(ModelConfig c, StageSpec s, int item) {
        return c.name() + " " + s + ": item " + item;
    }

    public static void check(ModelConfig c, StageSpec s, StageBatch in) {
        boolean tokens = in.item(0).tokens() != null;
        for (StageItem it : in.items()) {
            if ((it.tokens() != null) != tokens) {
                throw new ExecutorException(c.name() + " " + s + ": a batch must be all token ids or all rows, not both");
            }
        }
        for (int i = 0; i < in.size(); i++) {
            StageItem it = in.item(i);
            if (it.position() + it.length() > c.maxPositions()) {
                throw new ExecutorException(where(c, s, i) + ": positions " + it.position() + ".." + (it.position() + it.length() - 1)
                        + " exceed the model's " + c.maxPositions());
            }
            if (c.arch() == ModelConfig.Arch.BERT && it.position() != 0) {
                throw new ExecutorException(where(c, s, i) + ": an encoder takes whole sequences (position must be 0)");
            }
            if (it.session() == 0 && it.position() != 0) {
                throw new ExecutorException(where(c, s, i) + ": position " + it.position() + " needs a session holding the earlier tokens");
            }
            if (s.first() && (it.tokens() != null || it.data() == null)) {
                // a first stage takes token ids, or hidden-state rows that skip the embeddings
                if (it.tokens() == null || it.tokens().length != it.length()) {
                    throw new ExecutorException(where(c, s, i) + ": the first stage takes " + it.length() + " token ids, got "
                            + (it.tokens() == null ? "none" : it.tokens().length));
                }
                for (int t : it.tokens()) {
                    if (t < 0 || t >= c.vocab()) {
                        throw new ExecutorException(where(c, s, i) + ": token id " + t + " is outside the vocabulary [0, "
                                + c.vocab() + ")");
                    }
                }
            } else {
                if (in.width() != c.hidden()) {
                    throw new ExecutorException(where(c, s, i) + ": expected rows of width " + c.hidden() + " (hidden), got width "
                            + in.width());
                }
                if (it.data() == null || it.data().length != it.length() * c.hidden()) {
                    throw new ExecutorException(where(c, s, i) + ": expected " + it.length() + " x " + c.hidden() + " = "
                            + it.length() * c.hidden() + " values, got " + (it.data() == null ? 0 : it.data().length));
                }
            }
        }
    }
}
