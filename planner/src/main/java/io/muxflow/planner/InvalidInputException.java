package io.muxflow.planner;

/**
 * Bad input from a user: a file, a JSON field, a CSV line or a command-line argument. The message
 * names the input at fault (file, line, model, field) so the user can fix it without a stack trace.
 */
public class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
