package dev.einhorn.files;

import dev.einhorn.startup.StartupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The pidfile: the decimal pid, no newline (as Einhorn), written whole by rename. Removed at exit only if it still
 * holds our pid, so a second master that fails to start never deletes the running master's pidfile (Einhorn's
 * bug). What is at the path must be a regular file of ours ({@link OwnFiles}).
 */
public final class Pidfile {
    private final Path path;
    private final long pid;

    private Pidfile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /** Writes it whole (temp file and rename); refuses a symlink, a non-regular file, another user's file. */
    public static Pidfile write(Path path, long pid) throws StartupException {
        OwnFiles.writeAtomically(path, Long.toString(pid).getBytes(StandardCharsets.US_ASCII));
        return new Pidfile(path, pid);
    }

    /** The pidfile an earlier image of this process wrote. */
    public static Pidfile existing(Path path, long pid) {
        return new Pidfile(path, pid);
    }

    /** Removes it if it is still our regular file with our pid (never through a symlink). */
    public void removeIfOurs() {
        try {
            if (!OwnFiles.checkExisting(path, OwnFiles.Kind.REGULAR_FILE)) return;
            byte[] content;
            try (var in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                content = in.readNBytes(64);
            }
            if (new String(content, StandardCharsets.US_ASCII).trim().equals(Long.toString(pid))) Files.delete(path);
        } catch (StartupException | IOException ignored) {
            // gone or replaced already: not ours to remove
        }
    }
}
