package dev.einhorn.reexec;

import java.util.List;

/**
 * What a {@link Reload} asks of the master it re-executes. The master implements it; unit tests with a recording
 * fake (and a fake {@link dev.einhorn.posix.Posix}).
 */
public interface ReloadHost {
    /** False once the master is stopping: no reload then. */
    boolean respawning();

    /** The monotonic clock, in seconds. */
    double now();

    /** Before the exec: writes what each client's socket takes now, without waiting. */
    void flushClients();

    /** Before the exec, with {@code -p}: the next image prepares its own generation; no child of ours is left behind. */
    void abandonPreparation();

    /** The signals received and not yet handled: the next image handles them. */
    List<String> takeSignals();

    /** Everything the next image takes over, for a re-exec that is ({@code forUpgrade}) or is not an upgrade. */
    Handover handover(boolean forUpgrade, List<String> pendingSignals);

    /** systemd RELOADING=1, right before the exec (the next image sends READY=1). */
    void reloading();

    /** After a failed exec: the master's signal handlers back in place, the drained signals handled. */
    void reinstallSignalHandlers(List<String> drained);

    /** Ends the upgrade in flight with "Upgrade failed: REASON" for its clients and the log. */
    void upgradeFailed(String reason);
}
