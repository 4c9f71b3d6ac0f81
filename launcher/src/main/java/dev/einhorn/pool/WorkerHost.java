package dev.einhorn.pool;

/**
 * What the pool asks of the world: start a process, signal one, say something. The master implements it
 * with real processes; unit tests with a recording fake. The pool never blocks and never sees a pid it did
 * not get from {@link #spawn}.
 */
public interface WorkerHost {

    /** Starts a worker of this version with EINHORN_CHILD_INDEX = index; returns its pid. */
    int spawn(int index, int version) throws SpawnException;

    /**
     * Whether a warm standby can be started now ({@code --standby}: a preloaded JVM command). When false the pool
     * keeps no standbys and spawns as usual.
     */
    default boolean standbyPossible() {
        return false;
    }

    /** Starts a warm standby of this version: a worker without an index that parks once warm; returns its pid. */
    default int spawnStandby(int version) throws SpawnException {
        throw new SpawnException("this host starts no standbys");
    }

    /**
     * Tells a ready standby its index (and what else a spawn would have put in its environment): it enters the
     * app and ACKs like a spawned worker. False when it could not be told (it is gone).
     */
    default boolean activate(int pid, int index) {
        return false;
    }

    /** Sends a signal (name without SIG); false when the process no longer exists. */
    boolean signal(int pid, String signal);

    /** A line for the master's log. */
    void log(Level level, String message);

    /** A step of the upgrade in progress: logged, and sent to the clients that follow the upgrade. */
    void upgradeProgress(Level level, String message);

    /** The upgrade in progress succeeded: "Upgrade done" is logged and sent, which ends its clients' streams. */
    void upgradeDone();

    /** The upgrade in progress failed: "Upgrade failed: REASON" is logged and sent, which ends its clients' streams. */
    void upgradeFailed(String reason);

    enum Level { DEBUG, INFO, ERROR }

    /** A worker could not be started at all (exec failed). */
    final class SpawnException extends Exception {
        public SpawnException(String message) {
            super(message);
        }
    }
}
