package dev.einhorn.startup;

/**
 * The master cannot start (or a re-executed image cannot resume): one line for stderr, exit 1. Thrown by the rooms
 * that set up what the master needs (sockets, files, systemd's fds, the worker command, the hand-over); caught by
 * {@code MasterMain}. In a package of its own so that no room depends on the loop's package.
 */
public final class StartupException extends Exception {
    public StartupException(String message) {
        super(message);
    }
}
