package dev.einhorn.children;

import dev.einhorn.preload.ArchiveUse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code -p}: the archive each preloaded child (worker or standby) was started with, and what {@code state} shows of
 * its process (archive mapped, PSS, Shared_Clean), read from /proc at most once a second per child: reading smaps
 * costs the master ~2 ms per worker, and a client polling {@code state} in a loop would otherwise take CPU from the
 * workers it watches (measured in the start-up benchmark). The pool knows nothing of archives; this is the one place
 * the master keeps them, from {@link #started} to {@link #forget}.
 */
public final class WorkerProbe {
    static final double MAX_AGE_SECONDS = 1.0;

    public record Reading(double at, boolean mapped, Optional<ArchiveUse.Memory> memory) {}

    private final Map<Integer, Path> archives = new LinkedHashMap<>();
    private final Map<Integer, Reading> readings = new HashMap<>();

    /** A child started from this archive. */
    public void started(int pid, Path archive) {
        archives.put(pid, archive);
    }

    /** The archive a child was started with, if it was preloaded. */
    public Optional<Path> archiveOf(int pid) {
        return Optional.ofNullable(archives.get(pid));
    }

    /** Every preloaded child's archive, for the hand-over. */
    public Map<Integer, Path> archives() {
        return Map.copyOf(archives);
    }

    /** Takes over the archives a previous master image handed over. */
    public void adopt(Map<Integer, Path> handedOver) {
        archives.putAll(handedOver);
    }

    public Reading read(int pid, Path archive, double now) {
        Reading r = readings.get(pid);
        if (r == null || now - r.at() >= MAX_AGE_SECONDS) {
            r = new Reading(now, ArchiveUse.inspect(pid, archive).mapped(), ArchiveUse.Memory.of(pid));
            // a JVM that has not mapped its archive yet may be starting: only a mapped one is worth keeping
            if (r.mapped()) {
                readings.put(pid, r);
            } else {
                readings.remove(pid);
            }
        }
        return r;
    }

    /** The child exited. */
    public void forget(int pid) {
        archives.remove(pid);
        readings.remove(pid);
    }
}
