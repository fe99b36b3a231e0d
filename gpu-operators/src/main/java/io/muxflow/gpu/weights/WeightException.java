package io.muxflow.gpu.weights;

import io.muxflow.planner.InvalidInputException;

/** A weight file or tensor is unusable; the message names the file and the tensor. */
public class WeightException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public WeightException(String message) {
        super(message);
    }

    public WeightException(String message, Throwable cause) {
        super(message, cause);
    }
}
