package dev.einhorn.pool;

import dev.einhorn.pool.WorkerHost.Level;
import dev.einhorn.pool.WorkerHost.SpawnException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Einhorn's pool arithmetic (docs/COMPATIBILITY.md#pool-arithmetic), with no processes, sockets or threads:
 * events come in as method calls, effects go out through {@link WorkerHost}, and time comes from {@link Clock}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Workers of the current version ("modern") that are unsignaled never exceed the target after a cull;
 *       the surplus gets the graceful signal, unacked and oldest first.</li>
 *   <li>Old workers are retired only when the new version has ACKed: one per new ACK beyond the target in a
 *       smooth upgrade, all together once the whole fleet ACKed in a fleet upgrade. A failed upgrade stops the
 *       new workers and never touches the old ones.</li>
 *   <li>After the first launch, at most one worker is started per back-off interval
 *       ({@code seconds * 1.5^deaths}, capped at 30 s), and only while fewer than {@code maxUnacked}
 *       current workers are unacked.</li>
 *   <li>The pool asks to be woken ({@link #nextWakeup()}) only when a timer of its own is due: nothing
 *       happens between events otherwise.</li>
 * </ul>
 */
public final class Pool {
    private final PoolSettings settings;
    private final WorkerHost host;
    private final Clock clock;
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();

    private int number;
    private int version;
    private boolean respawn = true;
    private boolean upgrading;
    private boolean smoothUpgrade;
    private int upgradeFromVersion;
    private double upgradeStartedAt = Double.NaN;
    private double lastSpinup = Double.NaN;
    private double spinupTimerAt = Double.NaN;
    private int consecutiveDeathsBeforeAck;
    private int upgradesCompleted;
    private int upgradesFailed;
    private int respawns;
    private final LatencyHistogram ackLatency = new LatencyHistogram();

    // --standby N (docs/DESIGN.md "Warm standbys")
    private final Map<Integer, StandbyProcess> standbys = new LinkedHashMap<>();
    private int standbyTarget;
    private int standbyFailures;
    private double lastStandbySpawn = Double.NaN;
    /** Set after too many standbys died before they were ready; cleared by an upgrade (new code). */
    private boolean standbysGivenUp;
    private int activations;
    private int standbysStarted;
    private final LatencyHistogram activationLatency = new LatencyHistogram();

    public Pool(PoolSettings settings, int number, WorkerHost host, Clock clock) {
        if (number < 1) throw new IllegalArgumentException("number must be >= 1");
        this.settings = settings;
        this.number = number;
        this.host = host;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- the loop

    /** One turn of Einhorn's loop: timer ACKs, replenish, cull. Call after every event and every wake-up. */
    public void tick() {
        double now = clock.now();
        ackTimedOutWorkers(now);
        replenish(now);
        cull(now);
        replenishStandbys(now);
        cullStandbys(now);
    }

    /** The earliest monotonic time a {@link #tick()} has something to do, or +infinity. */
    public double nextWakeup() {
        double next = Double.POSITIVE_INFINITY;
        if (!Double.isNaN(spinupTimerAt)) next = Math.min(next, spinupTimerAt);
        for (Worker w : workers.values()) {
            if (!settings.manualAck() && !w.acked()) next = Math.min(next, w.spinupAt() + settings.ackTimeout());
            if (settings.signalTimeout() != null && escalatable(w)) {
                next = Math.min(next, w.lastSignaledAt() + settings.signalTimeout());
            }
        }
        if (upgrading && settings.upgradeTimeout() != null) {
            next = Math.min(next, upgradeStartedAt + settings.upgradeTimeout());
        }
        return Math.min(next, nextStandbyWakeup());
    }

    /** True once the pool stopped respawning and every worker is gone: the master may exit. */
    public boolean isFinished() {
        return !respawn && workers.isEmpty() && standbys.isEmpty();
    }

    // ---------------------------------------------------------------- events

    /** A manual ACK ({@code worker:ack}). */
    public void manualAck(int pid) {
        Worker w = workers.get(pid);
        if (!settings.manualAck()) {
            host.log(Level.ERROR, "Received a manual ACK for " + pid + ", but ack_mode is "
                    + "{:type=>:timer, :timeout=>" + seconds(settings.ackTimeout()) + "}. Ignoring ACK.");
        } else if (w == null) {
            host.log(Level.ERROR, "Could not find state for PID " + pid + "; ignoring ACK.");
        } else if (w.acked()) {
            host.log(Level.ERROR, "Pid " + pid + " already ACKed; ignoring new ACK.");
        } else {
            host.log(Level.INFO, "Received a manual ACK from " + pid);
            registerAck(w);
        }
    }

    /** {@code worker:ping}: remembered for {@code state}. */
    public void ping(int pid, Object requestId) {
        Worker w = workers.get(pid);
        if (w == null) {
            host.log(Level.ERROR, "Could not find state for PID " + pid + "; ignoring ACK.");
        } else {
            w.markPinged(clock.wall(), requestId);
        }
    }

    /**
     * A worker was reaped.
     *
     * @param how "exit status 0", "killed by SIGKILL": logged with the exit (Einhorn logs nothing)
     * @return false if the pid was not one of ours
     */
    public boolean exited(int pid, String how) {
        if (standbys.containsKey(pid)) {
            standbyExited(standbys.remove(pid), how);
            return true;
        }
        Worker w = workers.remove(pid);
        if (w == null) return false;
        if (!w.acked() && !w.isSignaled()) {
            consecutiveDeathsBeforeAck++;
            host.upgradeProgress(Level.INFO, "===> Exited worker " + pid + " before it was ACKed (" + how + ")");
        } else {
            host.upgradeProgress(Level.INFO, "===> Exited worker " + pid + " (" + how + ")");
        }
        if (respawn && !w.isSignaled()) respawns++;
        return true;
    }

    // ---------------------------------------------------------------- commands

    public int number() {
        return number;
    }

    /** inc / dec / set_workers: only the target changes; replenish and cull do the rest. */
    public void setNumber(int number) {
        if (number < 1) throw new IllegalArgumentException("number must be >= 1");
        this.number = number;
    }

    /** INT, TERM, USR2, {@code die}: signal every worker (recorded) and stop respawning. */
    public void stop(String signal) {
        respawn = false;
        spinupTimerAt = Double.NaN;
        signalWorkers(signal, List.copyOf(workers.values()), true);
        retireStandbys(filterStandbys(s -> !s.retired()), "einhorn is stopping");
    }

    /** The {@code signal} command: every worker, not recorded (no escalation, still counted as live). */
    public void signalAll(String signal) {
        signalWorkers(signal, List.copyOf(workers.values()), false);
    }

    /** {@code upgrade} / {@code upgrade_fleet} / SIGHUP, once the master has reloaded. */
    public void upgrade(boolean smooth) {
        if (!respawn) return;
        double now = clock.now();
        if (upgrading) {
            host.upgradeProgress(Level.INFO, "Currently upgrading (" + ackCount() + " / " + number
                    + " ACKs; bumping version and starting over)...");
        } else {
            upgrading = true;
            upgradeFromVersion = version;
            host.upgradeProgress(Level.INFO, "Starting " + (smooth ? "smooth" : "fleet") + " upgrade from version "
                    + version + "...");
        }
        smoothUpgrade = smooth;
        upgradeStartedAt = now;
        consecutiveDeathsBeforeAck = 0;
        version++;
        spinupTimerAt = Double.NaN;
        standbysGivenUp = false;
        standbyFailures = 0;
        cullStandbys(now); // the old version's standbys are never activated
        if (smooth) {
            replenishStandbys(now); // warm the new version first: spinups wait for them (replenishGradually)
            replenishGradually(now);
        } else {
            replenishImmediately(now);
        }
    }

    // ---------------------------------------------------------------- what state shows

    public Collection<Worker> workers() {
        return Collections.unmodifiableCollection(workers.values());
    }

    public Worker worker(int pid) {
        return workers.get(pid);
    }

    public int version() {
        return version;
    }

    public boolean respawning() {
        return respawn;
    }

    public boolean upgrading() {
        return upgrading;
    }

    public boolean smoothUpgrade() {
        return smoothUpgrade;
    }

    public int consecutiveDeathsBeforeAck() {
        return consecutiveDeathsBeforeAck;
    }

    public int upgradesCompleted() {
        return upgradesCompleted;
    }

    public int upgradesFailed() {
        return upgradesFailed;
    }

    /** Workers started again after one of the current pool died on its own. */
    public int respawns() {
        return respawns;
    }

    /** Seconds from spawn to ACK (manual or timer) of every worker that ACKed. */
    public LatencyHistogram ackLatency() {
        return ackLatency;
    }

    /** Acked, unsignaled, current-version workers. */
    public int ackCount() {
        return count(w -> modern(w) && !w.isSignaled() && w.acked());
    }

    // ---------------------------------------------------------------- warm standbys (--standby N)

    /** --standby N: how many ready standbys of the current version the pool keeps (0: none). */
    public void setStandbyTarget(int n) {
        if (n < 0) throw new IllegalArgumentException("standby target must be >= 0");
        standbyTarget = n;
    }

    public int standbyTarget() {
        return standbyTarget;
    }

    public Collection<StandbyProcess> standbys() {
        return Collections.unmodifiableCollection(standbys.values());
    }

    /** Standbys activated as workers. */
    public int activations() {
        return activations;
    }

    /** Standbys started (replacements included). */
    public int standbysStarted() {
        return standbysStarted;
    }

    /** True after standbys kept failing to warm up: the pool spawns until the next upgrade. */
    public boolean standbysGivenUp() {
        return standbysGivenUp;
    }

    /** Seconds from activation to ACK of every activated standby that ACKed. */
    public LatencyHistogram activationLatency() {
        return activationLatency;
    }

    /** A standby reported that it warmed up and parked: it may be activated from now on. */
    public void standbyReady(int pid) {
        StandbyProcess s = standbys.get(pid);
        if (s == null || s.ready() || s.retired()) return;
        s.markReady(clock.now(), clock.wall());
        standbyFailures = 0;
        host.upgradeProgress(Level.INFO, "Standby " + pid + " of version " + s.version() + " is ready (warmed up in "
                + seconds(round3(clock.now() - s.spawnedAt())) + "s)");
    }

    /**
     * A standby dropped out of the pool's hands without an exit (before a re-exec handed it over, the new image
     * could not adopt it): it is signaled and forgotten once reaped.
     */
    public void retireStandby(int pid, String why) {
        StandbyProcess s = standbys.get(pid);
        if (s != null && !s.retired()) retireStandbys(List.of(s), why);
    }

    private void standbyExited(StandbyProcess s, String how) {
        if (s.retired()) {
            host.upgradeProgress(Level.INFO, "===> Exited standby " + s.pid() + " (" + how + ")");
            return;
        }
        standbyFailed("===> Exited standby " + s.pid() + " " + (s.ready() ? "while parked" : "before it was ready")
                + " (" + how + ")", !s.ready());
    }

    /** One more standby failure in a row (it died, or its warm-up did not end); warm-up failures may give up. */
    private void standbyFailed(String what, boolean beforeReady) {
        standbyFailures++;
        lastStandbySpawn = clock.now(); // the back-off counts from the failure
        host.upgradeProgress(Level.ERROR, what + "; " + standbyFailures + " standby failure(s) in a row");
        if (beforeReady && standbyFailures >= PoolSettings.STANDBY_MAX_CONSECUTIVE_FAILURES && !standbysGivenUp) {
            standbysGivenUp = true;
            host.upgradeProgress(Level.ERROR, "Standbys of version " + version + " keep dying before they are ready ("
                    + standbyFailures + " in a row; see the worker output for the warm-up's error): no more standbys"
                    + " until the next upgrade, new workers are spawned");
        }
    }

    private void replenishStandbys(double now) {
        if (!respawn || standbyTarget == 0 || standbysGivenUp || !host.standbyPossible()) return;
        while (liveStandbys() < wantedStandbys()) {
            int warming = countStandbys(s -> !s.retired() && !s.ready());
            int unacked = count(w -> modern(w) && !w.isSignaled() && !w.acked());
            if (warming + unacked >= settings.maxUnacked()) return; // never crowd out workers that start
            if (standbyFailures > 0 && now < lastStandbySpawn + standbyInterval()) return; // back-off timer
            double at = now;
            lastStandbySpawn = at;
            int pid;
            try {
                pid = host.spawnStandby(version);
            } catch (SpawnException e) {
                standbyFailures++;
                host.upgradeProgress(Level.ERROR, "Could not start a standby: " + e.getMessage());
                if (standbyFailures >= PoolSettings.STANDBY_MAX_CONSECUTIVE_FAILURES) standbysGivenUp = true;
                return;
            }
            standbys.put(pid, new StandbyProcess(pid, version, at, clock.wall()));
            standbysStarted++;
            host.upgradeProgress(Level.INFO, "===> Launched standby " + pid + " of version " + version);
            if (standbyFailures > 0) return; // one at a time while backing off
        }
    }

    /** Old versions' standbys, and standbys beyond what is wanted (unready first), are signaled to exit. */
    private void cullStandbys(double now) {
        retireStandbys(filterStandbys(s -> !s.retired() && s.version() != version), "they are of an old version");
        for (StandbyProcess s : filterStandbys(s -> !s.retired() && !s.ready()
                && now >= s.spawnedAt() + PoolSettings.STANDBY_WARMUP_LIMIT)) {
            retireStandbys(List.of(s), "it has not warmed up within " + (long) PoolSettings.STANDBY_WARMUP_LIMIT + "s");
            standbyFailed("Standby " + s.pid() + " did not warm up within " + (long) PoolSettings.STANDBY_WARMUP_LIMIT
                    + "s (a warm-up that does not end)", true);
        }
        int surplus = liveStandbys() - (respawn ? wantedStandbys() : 0);
        if (surplus > 0) {
            List<StandbyProcess> extra = filterStandbys(s -> !s.retired());
            extra.sort(Comparator.comparing(StandbyProcess::ready)); // stable: unready first, then oldest
            retireStandbys(extra.subList(0, surplus), "more standbys than wanted");
        }
        if (settings.signalTimeout() != null) {
            for (StandbyProcess s : filterStandbys(s -> s.retired() && !s.killed())) {
                if (now >= s.retiredAt() + settings.signalTimeout()) {
                    host.upgradeProgress(Level.INFO, "Standby " + s.pid() + " is still alive " + settings.signalTimeout()
                            + "s after it was retired; sending SIGKILL");
                    s.markKilled();
                    host.signal(s.pid(), "KILL");
                }
            }
        }
    }

    private void retireStandbys(List<StandbyProcess> targets, String why) {
        if (targets.isEmpty()) return;
        double now = clock.now();
        String pids = targets.stream().map(t -> Integer.toString(t.pid())).collect(Collectors.joining(", ", "[", "]"));
        host.upgradeProgress(Level.INFO, "Retiring standbys " + pids + ": " + why);
        for (StandbyProcess s : targets) {
            s.markRetired(now);
            host.signal(s.pid(), "TERM"); // a parked JVM exits on TERM; it has no work in hand
        }
    }

    /** Standbys the pool keeps: --standby N, or during an upgrade as many as its remaining steps can use. */
    private int wantedStandbys() {
        if (standbyTarget == 0) return 0;
        if (upgrading) return Math.max(standbyTarget, Math.min(missingWorkerCount(), settings.maxUnacked()));
        return standbyTarget;
    }

    private int liveStandbys() {
        return countStandbys(s -> !s.retired() && s.version() == version);
    }

    private StandbyProcess readyStandby() {
        for (StandbyProcess s : standbys.values()) {
            if (s.ready() && !s.retired() && s.version() == version) return s;
        }
        return null;
    }

    /** A smooth upgrade's spinup waits for a warming standby of the new version (up to STANDBY_READY_WAIT). */
    private boolean waitingForStandby(double now) {
        if (!upgrading || readyStandby() != null) return false;
        return countStandbys(s -> !s.retired() && !s.ready() && s.version() == version
                && now < s.spawnedAt() + PoolSettings.STANDBY_READY_WAIT) > 0;
    }

    private double standbyInterval() {
        return Math.min(settings.seconds() * Math.pow(1.5, standbyFailures), PoolSettings.MAX_SPINUP_INTERVAL);
    }

    private double nextStandbyWakeup() {
        double next = Double.POSITIVE_INFINITY;
        if (respawn && standbyTarget > 0 && !standbysGivenUp && standbyFailures > 0 && liveStandbys() < wantedStandbys()) {
            next = lastStandbySpawn + standbyInterval();
        }
        for (StandbyProcess s : standbys.values()) {
            if (s.retired() && !s.killed() && settings.signalTimeout() != null) {
                next = Math.min(next, s.retiredAt() + settings.signalTimeout());
            }
            if (upgrading && !s.retired() && !s.ready() && s.version() == version) {
                next = Math.min(next, s.spawnedAt() + PoolSettings.STANDBY_READY_WAIT);
            }
            if (!s.retired() && !s.ready()) next = Math.min(next, s.spawnedAt() + PoolSettings.STANDBY_WARMUP_LIMIT);
        }
        return next;
    }

    private int countStandbys(Predicate<StandbyProcess> p) {
        return (int) standbys.values().stream().filter(p).count();
    }

    private List<StandbyProcess> filterStandbys(Predicate<StandbyProcess> p) {
        return standbys.values().stream().filter(p).collect(Collectors.toList());
    }

    private static double round3(double s) {
        return Math.round(s * 1000) / 1000.0;
    }

    // ---------------------------------------------------------------- hand-over across a master re-exec

    /** Everything the pool knows, as plain values (maps, lists, numbers), for the state hand-over. */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("number", number);
        m.put("version", version);
        m.put("respawn", respawn);
        m.put("upgrading", upgrading);
        m.put("smooth_upgrade", smoothUpgrade);
        m.put("upgrade_from_version", upgradeFromVersion);
        m.put("upgrade_started_at", upgradeStartedAt);
        m.put("last_spinup", lastSpinup);
        m.put("spinup_timer_at", spinupTimerAt);
        m.put("consecutive_deaths_before_ack", consecutiveDeathsBeforeAck);
        m.put("upgrades_completed", upgradesCompleted);
        m.put("upgrades_failed", upgradesFailed);
        m.put("respawns", respawns);
        m.put("ack_latency", ackLatency.snapshot());
        m.put("activation_latency", activationLatency.snapshot());
        m.put("activations", activations);
        m.put("standbys_started", standbysStarted);
        m.put("standby_failures", standbyFailures);
        m.put("standbys_given_up", standbysGivenUp);
        m.put("last_standby_spawn", lastStandbySpawn);
        List<Object> parked = new ArrayList<>();
        for (StandbyProcess s : standbys.values()) parked.add(s.snapshot());
        m.put("standbys", parked);
        List<Object> list = new ArrayList<>();
        for (Worker w : workers.values()) list.add(w.snapshot());
        m.put("workers", list);
        return m;
    }

    /** A pool as {@link #snapshot()} left it. Monotonic times stay valid: the clock is the machine's. */
    @SuppressWarnings("unchecked")
    public static Pool restore(Map<String, Object> m, PoolSettings settings, WorkerHost host, Clock clock) {
        Pool p = new Pool(settings, ((Number) m.get("number")).intValue(), host, clock);
        p.version = ((Number) m.get("version")).intValue();
        p.respawn = (Boolean) m.get("respawn");
        p.upgrading = (Boolean) m.get("upgrading");
        p.smoothUpgrade = (Boolean) m.get("smooth_upgrade");
        p.upgradeFromVersion = ((Number) m.get("upgrade_from_version")).intValue();
        p.upgradeStartedAt = ((Number) m.get("upgrade_started_at")).doubleValue();
        p.lastSpinup = ((Number) m.get("last_spinup")).doubleValue();
        p.spinupTimerAt = ((Number) m.get("spinup_timer_at")).doubleValue();
        p.consecutiveDeathsBeforeAck = ((Number) m.get("consecutive_deaths_before_ack")).intValue();
        p.upgradesCompleted = ((Number) m.get("upgrades_completed")).intValue();
        p.upgradesFailed = ((Number) m.get("upgrades_failed")).intValue();
        p.respawns = ((Number) m.get("respawns")).intValue();
        if (m.get("ack_latency") instanceof Map<?, ?> h) p.ackLatency.restore(h);
        if (m.get("activation_latency") instanceof Map<?, ?> h) p.activationLatency.restore(h);
        if (m.get("activations") instanceof Number n) p.activations = n.intValue();
        if (m.get("standbys_started") instanceof Number n) p.standbysStarted = n.intValue();
        if (m.get("standby_failures") instanceof Number n) p.standbyFailures = n.intValue();
        p.standbysGivenUp = Boolean.TRUE.equals(m.get("standbys_given_up"));
        if (m.get("last_standby_spawn") instanceof Number n) p.lastStandbySpawn = n.doubleValue();
        if (m.get("standbys") instanceof List<?> parked) {
            for (Object o : parked) {
                StandbyProcess s = StandbyProcess.restore((Map<String, Object>) o);
                p.standbys.put(s.pid(), s);
            }
        }
        for (Object o : (List<Object>) m.get("workers")) {
            Worker w = Worker.restore((Map<String, Object>) o);
            p.workers.put(w.pid(), w);
        }
        return p;
    }

    // ---------------------------------------------------------------- replenish (docs/COMPATIBILITY.md#replenish)

    private void replenish(double now) {
        if (!respawn) return;
        if (Double.isNaN(lastSpinup)) {
            replenishImmediately(now);
        } else {
            replenishGradually(now);
        }
    }

    private void replenishImmediately(double now) {
        int missing = missingWorkerCount();
        if (missing <= 0) return;
        host.upgradeProgress(Level.INFO, "Launching " + missing + " new workers");
        for (int i = 0; i < missing; i++) {
            if (!spinup(now)) break;
        }
        if (missingWorkerCount() > 0) spinupTimerAt = now + spinupInterval(); // a start failed: retry later
    }

    private void replenishGradually(double now) {
        if (!Double.isNaN(spinupTimerAt)) {
            if (now < spinupTimerAt) return;
            spinupTimerAt = Double.NaN;
        }
        if (missingWorkerCount() <= 0) return;
        double interval = spinupInterval();
        double since = now - lastSpinup;
        if (since < interval) {
            spinupTimerAt = lastSpinup + interval;
            return;
        }
        if (!triggerSpinup()) return; // an ACK or an exit will tick us again: no timer needed
        if (waitingForStandby(now)) {
            host.log(Level.DEBUG, "Waiting for a standby of version " + version + " to be ready");
            return; // its ready report (or its death) ticks us again
        }
        String msg = "Last spinup was " + seconds(since) + "s ago, and spinup_interval is " + seconds(interval)
                + "s, so spinning up a new process.";
        if (consecutiveDeathsBeforeAck > 0) {
            host.upgradeProgress(Level.INFO, msg + " (there have been " + consecutiveDeathsBeforeAck
                    + " consecutive unacked worker deaths)");
        } else {
            host.upgradeProgress(Level.DEBUG, msg);
        }
        spinup(now);
        if (missingWorkerCount() > 0) spinupTimerAt = now + spinupInterval();
    }

    private double spinupInterval() {
        return Math.min(settings.seconds() * Math.pow(1.5, consecutiveDeathsBeforeAck),
                PoolSettings.MAX_SPINUP_INTERVAL);
    }

    private boolean triggerSpinup() {
        int unacked = count(w -> modern(w) && !w.isSignaled() && !w.acked());
        if (unacked >= settings.maxUnacked()) {
            host.log(Level.DEBUG, "There are " + unacked + " unacked new workers, and max_unacked is "
                    + settings.maxUnacked() + ", so not spinning up a new process.");
            return false;
        }
        Integer additional = settings.maxUpgradeAdditional();
        if (additional != null) {
            // 0 would leave a smooth upgrade no room for its first new worker, and old workers retire only against
            // new ACKs: it would never end. So 0 counts as 1, which is what Einhorn's 0 allows (it tests < 0)
            int room = Math.max(1, additional);
            int capacity = number + room - workers.size();
            if (capacity <= 0) { // Einhorn tests < 0 and so allows one worker more than it says
                host.log(Level.DEBUG, "At worker capacity (" + workers.size() + " of " + (number + room)
                        + ") during upgrade, " + count(this::modern) + " new workers of " + workers.size()
                        + " total. Waiting for old workers to exit before spinning up a process.");
                return false;
            }
        }
        return true;
    }

    /** Starts one worker; false if it could not be started. */
    private boolean spinup(double now) {
        int index = nextIndex();
        lastSpinup = now;
        StandbyProcess ready = readyStandby();
        if (ready != null) {
            if (host.activate(ready.pid(), index)) {
                standbys.remove(ready.pid());
                Worker w = new Worker(ready.pid(), index, version, now, clock.wall());
                w.markActivated();
                workers.put(ready.pid(), w);
                activations++;
                host.upgradeProgress(Level.INFO, "===> Activated standby " + ready.pid() + " (index: " + index + ")");
                return true;
            }
            retireStandbys(List.of(ready), "it could not be activated (its park pipe is closed)");
        }
        int pid;
        try {
            pid = host.spawn(index, version);
        } catch (SpawnException e) {
            consecutiveDeathsBeforeAck++;
            host.upgradeProgress(Level.ERROR, "Could not start a worker: " + e.getMessage());
            return false;
        }
        workers.put(pid, new Worker(pid, index, version, now, clock.wall()));
        host.upgradeProgress(Level.INFO, "===> Launched " + pid + " (index: " + index + ")");
        return true;
    }

    /** EINHORN_CHILD_INDEX: the smallest index no live worker (old or signaled included) holds. */
    private int nextIndex() {
        boolean[] used = new boolean[workers.size() + 1];
        for (Worker w : workers.values()) {
            if (w.index() < used.length) used[w.index()] = true;
        }
        int i = 0;
        while (used[i]) i++;
        return i;
    }

    // ---------------------------------------------------------------- ACKs (docs/COMPATIBILITY.md#acks)

    private void ackTimedOutWorkers(double now) {
        if (settings.manualAck()) return;
        for (Worker w : List.copyOf(workers.values())) {
            double up = now - w.spinupAt();
            if (!w.acked() && up >= settings.ackTimeout()) {
                host.log(Level.INFO, "Worker " + w.pid() + " has been up for " + seconds(up)
                        + "s, so we are considering it alive.");
                registerAck(w);
            }
        }
    }

    private void registerAck(Worker w) {
        double latency = clock.now() - w.spinupAt();
        w.markAcked(latency);
        ackLatency.observe(latency);
        if (w.activated()) {
            activationLatency.observe(latency);
            host.upgradeProgress(Level.INFO, "Activated standby " + w.pid() + " (index: " + w.index() + ") ACKed "
                    + Math.round(latency * 1000) + " ms after its activation");
        }
        String streak = consecutiveDeathsBeforeAck > 0
                ? ", breaking the streak of " + consecutiveDeathsBeforeAck + " consecutive unacked workers dying"
                : "";
        consecutiveDeathsBeforeAck = 0;
        host.log(Level.INFO, "Up to " + ackCount() + " / " + number + " " + settings.ackModeName() + " ACKs"
                + streak);
    }

    // ---------------------------------------------------------------- cull (docs/COMPATIBILITY.md#cull)

    private void cull(double now) {
        if (upgrading) checkUpgradeProgress(now);
        List<Worker> old = filter(w -> !w.isSignaled() && !modern(w));
        if (!upgrading && !old.isEmpty()) {
            host.upgradeProgress(Level.INFO, "Killing off " + old.size() + " old workers.");
            signalWorkers(settings.gracefulSignal(), old, true);
        } else if (upgrading && smoothUpgrade) {
            int excess = old.size() + ackCount() - number;
            if (excess > 0) {
                host.upgradeProgress(Level.INFO, "Smooth upgrade: killing off " + excess + " old workers.");
                signalWorkers(settings.gracefulSignal(), old.subList(0, excess), true);
            }
        }
        List<Worker> current = filter(w -> modern(w) && !w.isSignaled());
        if (current.size() > number) {
            int surplus = current.size() - number;
            host.upgradeProgress(Level.INFO, "Have too many workers at the current version, so killing off " + surplus
                    + " of them.");
            List<Worker> priority = new ArrayList<>(current);
            priority.sort(Comparator.comparing(Worker::acked)); // stable: unacked first, then spawn order
            signalWorkers(settings.gracefulSignal(), priority.subList(0, surplus), true);
        }
        if (settings.signalTimeout() != null) killExpiredSignaledWorkers(now);
    }

    private void checkUpgradeProgress(double now) {
        if (ackCount() >= number) {
            upgrading = false;
            upgradesCompleted++;
            host.upgradeProgress(Level.INFO, "Upgraded successfully to version " + version + " (Einhorn 0.8.2).");
            host.upgradeDone();
        } else if (consecutiveDeathsBeforeAck >= PoolSettings.UPGRADE_MAX_CONSECUTIVE_DEATHS) {
            failUpgrade("the new workers keep dying before they ACK (" + consecutiveDeathsBeforeAck
                    + " in a row)");
        } else if (settings.upgradeTimeout() != null && now >= upgradeStartedAt + settings.upgradeTimeout()) {
            failUpgrade("only " + ackCount() + " of " + number + " new workers ACKed within the upgrade timeout of "
                    + seconds(settings.upgradeTimeout()) + "s");
        }
    }

    /** Gives up on the new version: its workers are stopped, the previous version is current again. */
    private void failUpgrade(String reason) {
        upgrading = false;
        upgradesFailed++;
        int failedVersion = version;
        version = upgradeFromVersion;
        consecutiveDeathsBeforeAck = 0;
        spinupTimerAt = Double.NaN;
        List<Worker> fresh = filter(w -> w.version() > upgradeFromVersion && !w.abandoned());
        fresh.forEach(Worker::markAbandoned);
        if (!fresh.isEmpty()) {
            signalWorkers(settings.gracefulSignal(), filter(w -> w.abandoned() && !w.isSignaled()), true);
        }
        host.upgradeFailed(reason + ". Version " + version
                + " keeps serving; the workers of version " + failedVersion + " are being stopped.");
    }

    private boolean escalatable(Worker w) {
        return w.isSignaled() && !w.signaled().contains("KILL");
    }

    private void killExpiredSignaledWorkers(double now) {
        int timeout = settings.signalTimeout();
        for (Worker w : filter(this::escalatable)) {
            double since = now - w.lastSignaledAt();
            if (since >= timeout) {
                host.upgradeProgress(Level.INFO, "Child " + w.pid() + " was signaled " + seconds(since)
                        + "s ago. Sending SIGKILL as it is still active after " + timeout + "s timeout.");
                w.markSignaled("KILL", now);
                host.signal(w.pid(), "KILL");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void signalWorkers(String signal, List<Worker> targets, boolean record) {
        if (targets.isEmpty()) return;
        String pids = targets.stream().map(w -> Integer.toString(w.pid())).collect(Collectors.joining(", ", "[", "]"));
        host.upgradeProgress(Level.INFO, "Sending " + signal + " to " + pids);
        double now = clock.now();
        for (Worker w : targets) {
            if (record) {
                if (w.signaled().contains(signal)) {
                    host.upgradeProgress(Level.ERROR, "Re-sending " + signal + " to already-signaled child " + w.pid()
                            + ". It may be slow to spin down, or it may be swallowing SIGs.");
                }
                w.markSignaled(signal, now);
            }
            if (!host.signal(w.pid(), signal)) {
                host.log(Level.DEBUG, "Attempted to " + signal + " child " + w.pid()
                        + " but the process does not exist");
            }
        }
    }

    private boolean modern(Worker w) {
        return w.version() == version && !w.abandoned();
    }

    /** Einhorn counts signaled-but-alive current workers as present, so a slow stop never doubles the pool. */
    private int missingWorkerCount() {
        return number - count(this::modern);
    }

    private int count(Predicate<Worker> p) {
        return (int) workers.values().stream().filter(p).count();
    }

    private List<Worker> filter(Predicate<Worker> p) {
        return workers.values().stream().filter(p).collect(Collectors.toList());
    }

    /** Seconds for log lines: Ruby-like, at most three decimals. */
    static String seconds(double s) {
        if (s == Math.rint(s)) return Long.toString((long) s);
        return String.format(Locale.ROOT, "%.3f", s).replaceAll("0+$", "");
    }
}
