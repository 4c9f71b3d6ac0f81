package dev.einhorn.pool;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A warm standby process as the pool tracks it ({@code --standby N}): a worker process of one version that has no
 * index yet. It warms up, reports ready, and waits to be activated (it then becomes a {@link Worker} with the same
 * pid) or retired. See docs/DESIGN.md "Warm standbys"; what runs inside the process is the worker library's
 * {@code dev.einhorn.runtime.Standby}.
 */
public final class StandbyProcess {
    private final int pid;
    private final int version;
    private final double spawnedAt;
    private final Instant spawnedWall;
    private double readyAt = Double.NaN;
    private Instant readyWall;
    private double retiredAt = Double.NaN;
    private boolean killed;

    StandbyProcess(int pid, int version, double spawnedAt, Instant spawnedWall) {
        this.pid = pid;
        this.version = version;
        this.spawnedAt = spawnedAt;
        this.spawnedWall = spawnedWall;
    }

    public int pid() {
        return pid;
    }

    /** The version (generation) it was started for: it is activated only as a worker of that version. */
    public int version() {
        return version;
    }

    public Instant spawnedWall() {
        return spawnedWall;
    }

    double spawnedAt() {
        return spawnedAt;
    }

    public boolean ready() {
        return !Double.isNaN(readyAt);
    }

    /** When it reported ready (wall clock), or null. */
    public Instant readyWall() {
        return readyWall;
    }

    /** Signaled to exit (old version, stop, surplus): never activated. */
    public boolean retired() {
        return !Double.isNaN(retiredAt);
    }

    double retiredAt() {
        return retiredAt;
    }

    boolean killed() {
        return killed;
    }

    void markReady(double now, Instant wall) {
        readyAt = now;
        readyWall = wall;
    }

    void markRetired(double now) {
        retiredAt = now;
    }

    void markKilled() {
        killed = true;
    }

    Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("version", version);
        m.put("spawned_at", spawnedAt);
        m.put("spawned_wall", HandoverTime.write(spawnedWall));
        m.put("ready_at", readyAt);
        m.put("ready_wall", HandoverTime.write(readyWall));
        m.put("retired_at", retiredAt);
        m.put("killed", killed);
        return m;
    }

    static StandbyProcess restore(Map<String, Object> m) {
        StandbyProcess s = new StandbyProcess(((Number) m.get("pid")).intValue(),
                ((Number) m.get("version")).intValue(), ((Number) m.get("spawned_at")).doubleValue(),
                HandoverTime.read(m.get("spawned_wall")));
        s.readyAt = ((Number) m.get("ready_at")).doubleValue();
        s.readyWall = HandoverTime.read(m.get("ready_wall"));
        s.retiredAt = ((Number) m.get("retired_at")).doubleValue();
        s.killed = Boolean.TRUE.equals(m.get("killed"));
        return s;
    }
}
