package io.muxflow.gpu.backend;

/**
 * A stage could not run a batch or load: bad input (wrong shape, token out of range), a missing
 * weight, a device error. The message says which.
 */
public class ExecutorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExecutorException(String message) {
        super(message);
    }

    public ExecutorException(String message, Throwable cause) {
        super(message, cause);
    }
}
