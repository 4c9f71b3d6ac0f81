package dev.einhorn.master;

/** The master cannot start: one line for stderr, exit 1. */
public final class StartupException extends Exception {
    public StartupException(String message) {
        super(message);
    }
}
