package dev.einhorn.preload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Whether a worker really runs from its archive: the archive file appears in {@code /proc/PID/maps} (a JVM that
 * rejected it, e.g. for a changed jar or a flag mismatch, starts cold without failing).
 *
 * @param pid      the worker
 * @param archive  the archive it was started with
 * @param mapped   the archive is mapped into the process
 * @param readable /proc/PID/maps could be read (false: the process is gone)
 */
public record ArchiveUse(long pid, Path archive, boolean mapped, boolean readable) {
    public static ArchiveUse inspect(long pid, Path archive) {
        try {
            String name = archive.toString();
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"));
            for (String line : lines) {
                if (line.endsWith(name) || line.endsWith(name + " (deleted)")) return new ArchiveUse(pid, archive, true, true);
            }
            return new ArchiveUse(pid, archive, false, true);
        } catch (IOException | RuntimeException e) {
            return new ArchiveUse(pid, archive, false, false);
        }
    }

    /** True once the JVM is past the point where it maps archives (its libjvm and its base CDS archive or modules image). */
    static boolean jvmStarted(long pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"));
            boolean jvm = lines.stream().anyMatch(l -> l.endsWith("/libjvm.so"));
            boolean modules = lines.stream().anyMatch(l -> l.endsWith("/lib/modules"));
            return jvm && modules;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * A process's memory from {@code /proc/PID/smaps_rollup}: PSS (its fair share of every page it maps, the
     * number to add up across workers) and Shared_Clean (pages shared with other processes, e.g. the archive).
     */
    public record Memory(long pssKb, long sharedCleanKb, long rssKb) {
        public static Optional<Memory> of(long pid) {
            try {
                long pss = -1, shared = -1, rss = -1;
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                    if (line.startsWith("Pss:")) pss = kb(line);
                    else if (line.startsWith("Shared_Clean:")) shared = kb(line);
                    else if (line.startsWith("Rss:")) rss = kb(line);
                }
                if (pss < 0) return Optional.empty();
                return Optional.of(new Memory(pss, Math.max(shared, 0), Math.max(rss, 0)));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        private static long kb(String line) {
            String[] parts = line.trim().split("\\s+");
            return Long.parseLong(parts[1]);
        }
    }
}
