package dev.einhorn.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Records what the pool asked for; hands out pids 100, 101, ...; a settable clock. The one fake of the master's
 * side of the pool, shared by the tests of every room that drives a real {@link Pool}.
 */
public final class FakeHost implements WorkerHost, Clock {
    record Spawned(int pid, int index, int version) {}

    public record Sent(int pid, String signal) {}

    record Line(Level level, String message, boolean tagged, boolean last) {}

    final List<Spawned> spawned = new ArrayList<>();
    public final List<Sent> sent = new ArrayList<>();
    final List<Line> lines = new ArrayList<>();
    final Set<Integer> dead = new HashSet<>();
    public int nextPid = 100;
    boolean failSpawns;
    /** --standby: whether the host can start standbys (a preloaded JVM command). */
    public boolean standbysPossible;
    final List<Integer> standbysSpawned = new ArrayList<>();
    final List<List<Integer>> activated = new ArrayList<>(); // [pid, index]
    public double now = 1000;

    @Override
    public int spawn(int index, int version) throws SpawnException {
        if (failSpawns) throw new SpawnException("No such file or directory");
        int pid = nextPid++;
        spawned.add(new Spawned(pid, index, version));
        return pid;
    }

    @Override
    public boolean standbyPossible() {
        return standbysPossible;
    }

    @Override
    public int spawnStandby(int version) {
        int pid = nextPid++;
        standbysSpawned.add(pid);
        return pid;
    }

    @Override
    public boolean activate(int pid, int index) {
        if (dead.contains(pid)) return false;
        activated.add(List.of(pid, index));
        return true;
    }

    @Override
    public boolean signal(int pid, String signal) {
        sent.add(new Sent(pid, signal));
        return !dead.contains(pid);
    }

    @Override
    public void log(Level level, String message) {
        lines.add(new Line(level, message, false, false));
    }

    @Override
    public void upgradeProgress(Level level, String message) {
        lines.add(new Line(level, message, true, false));
    }

    @Override
    public void upgradeDone() {
        lines.add(new Line(Level.INFO, "Upgrade done", true, true));
    }

    @Override
    public void upgradeFailed(String reason) {
        lines.add(new Line(Level.ERROR, "Upgrade failed: " + reason, true, true));
    }

    @Override
    public double now() {
        return now;
    }

    @Override
    public Instant wall() {
        return Instant.ofEpochMilli((long) (now * 1000));
    }

    List<String> messages() {
        return lines.stream().map(Line::message).toList();
    }

    /** The signals sent, as "PID SIGNAL" lines in order. */
    public List<String> signalLines() {
        return sent.stream().map(x -> x.pid() + " " + x.signal()).toList();
    }

    List<Integer> pidsSent(String signal) {
        return sent.stream().filter(s -> s.signal().equals(signal)).map(Sent::pid).toList();
    }

    List<Integer> spawnedPids() {
        return spawned.stream().map(Spawned::pid).toList();
    }
}
