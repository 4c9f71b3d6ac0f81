package dev.einhorn.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The directory Einhorn's default file names live in: Ruby's {@code Dir.tmpdir}. The first usable of
 * the environment variables {@code TMPDIR}, {@code TMP}, {@code TEMP}, then {@code /tmp}. Usable means
 * non-empty, an existing directory, writable, and not world-writable unless the sticky bit is set
 * (Ruby's rule). The result is absolute and normalised (Ruby expands the path too). When nothing is
 * usable the answer is {@code /tmp} anyway (Ruby would try {@code .}, which would give the master and
 * einhornsh different defaults when run from different directories); creating files there then fails with a
 * clear error. The master and einhornsh must agree on this, or einhornsh cannot find the master's socket.
 */
public final class TmpDir {
    private static final Path FALLBACK = Path.of("/tmp");
    private static final int OTHERS_WRITE = 0002;
    private static final int STICKY = 01000;

    private TmpDir() {}

    /** The temporary directory for this process's environment. */
    public static Path resolve() {
        return resolve(System.getenv());
    }

    /** {@code tmpdir/einhorn.EXT}, or {@code tmpdir/einhorn-NAME.EXT} with a command name (-c). */
    public static Path einhornFile(String commandName, String extension) {
        return resolve().resolve(commandName == null ? "einhorn." + extension
                : "einhorn-" + commandName + "." + extension);
    }

    public static Path resolve(Map<String, String> env) {
        for (String name : new String[] {"TMPDIR", "TMP", "TEMP"}) {
            String value = env.get(name);
            if (value == null || value.isEmpty()) continue;
            Path dir;
            try {
                dir = Path.of(value).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                continue;
            }
            if (usable(dir)) return dir;
        }
        return FALLBACK;
    }

    static boolean usable(Path dir) {
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) return false;
        try {
            Object mode = Files.getAttribute(dir, "unix:mode");
            if (mode instanceof Integer m && (m & OTHERS_WRITE) != 0 && (m & STICKY) == 0) return false;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            // no unix view: the directory and writable checks are all we can do
        }
        return true;
    }
}
