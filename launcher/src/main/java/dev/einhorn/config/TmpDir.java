package dev.einhorn.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Ruby's {@code Dir.tmpdir}, which Einhorn uses for its default socket, pid and lock files: the first of
 * $TMPDIR, $TMP, $TEMP, /tmp and . that is a writable directory and is not world-writable without the
 * sticky bit. The master and einhornsh must agree on it, or einhornsh cannot find the master's socket.
 */
public final class TmpDir {
    private TmpDir() {}

    private static final int WORLD_WRITABLE = 0002;
    private static final int STICKY = 01000;

    /** The temporary directory for this process's environment. */
    public static Path resolve() {
        return resolve(System.getenv());
    }

    static Path resolve(Map<String, String> env) {
        for (String name : new String[] {"TMPDIR", "TMP", "TEMP"}) {
            String dir = env.get(name);
            if (dir != null && !dir.isEmpty() && usable(Path.of(dir))) return Path.of(dir).toAbsolutePath().normalize();
        }
        for (String dir : new String[] {"/tmp", "."}) {
            if (usable(Path.of(dir))) return Path.of(dir).toAbsolutePath().normalize();
        }
        throw new IllegalStateException("could not find a temporary directory");
    }

    /** {@code tmpdir/einhorn.EXT}, or {@code tmpdir/einhorn-NAME.EXT} with a command name (-c). */
    public static Path einhornFile(String commandName, String extension) {
        return resolve().resolve(commandName == null
                ? "einhorn." + extension
                : "einhorn-" + commandName + "." + extension);
    }

    private static boolean usable(Path dir) {
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) return false;
        try {
            int mode = (Integer) Files.getAttribute(dir, "unix:mode");
            return (mode & WORLD_WRITABLE) == 0 || (mode & STICKY) != 0;
        } catch (IOException | UnsupportedOperationException e) {
            return true; // no POSIX modes to check
        }
    }
}
