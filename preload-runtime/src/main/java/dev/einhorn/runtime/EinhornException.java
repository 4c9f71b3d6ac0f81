package dev.einhorn.runtime;

/**
 * Thrown by {@link Einhorn} when the process is not an einhorn worker, when the environment the
 * master set up is missing or malformed, when the JVM lacks a flag the runtime needs, or when talking
 * to the master's command socket fails. Unchecked: most callers can only report it and exit.
 */
public class EinhornException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EinhornException(String message) {
        super(message);
    }

    public EinhornException(String message, Throwable cause) {
        super(message, cause);
    }
}
