package dev.einhorn.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pidfile: the decimal pid, no newline (as Einhorn). Removed at exit only if it still holds our pid, so a
 * second master that fails to start never deletes the running master's pidfile (Einhorn's bug).
 */
final class Pidfile {
    private final Path path;
    private final long pid;

    private Pidfile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    static Pidfile write(Path path, long pid) throws StartupException {
        try {
            Files.write(path, Long.toString(pid).getBytes(StandardCharsets.US_ASCII));
            return new Pidfile(path, pid);
        } catch (IOException e) {
            throw new StartupException("Could not write the pidfile " + path + ": " + e.getMessage());
        }
    }

    /** The pidfile an earlier image of this process wrote. */
    static Pidfile existing(Path path, long pid) {
        return new Pidfile(path, pid);
    }

    void removeIfOurs() {
        try {
            if (Files.readString(path, StandardCharsets.US_ASCII).trim().equals(Long.toString(pid))) {
                Files.delete(path);
            }
        } catch (IOException ignored) {
            // gone or replaced already: not ours to remove
        }
    }
}
