package dev.einhorn.master;

import dev.einhorn.preload.ArchiveUse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code state} shows of a preloaded worker's process (archive mapped, PSS, Shared_Clean), read from /proc at
 * most once a second per worker: reading smaps costs the master ~2 ms per worker, and a client polling {@code state}
 * in a loop would otherwise take CPU from the workers it watches (measured in the start-up benchmark).
 */
final class WorkerProbe {
    static final double MAX_AGE_SECONDS = 1.0;

    record Reading(double at, boolean mapped, Optional<ArchiveUse.Memory> memory) {}

    private final Map<Integer, Reading> readings = new HashMap<>();

    Reading read(int pid, Path archive, double now) {
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

    void forget(int pid) {
        readings.remove(pid);
    }
}
