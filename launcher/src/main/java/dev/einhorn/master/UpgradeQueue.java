package dev.einhorn.master;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades as requests with their own completion (docs/PROTOCOL.md, "Streams"; DESIGN.md, "Upgrade"). At most
 * one upgrade is in flight, from its re-exec until {@code Upgrade done} or {@code Upgrade failed}. An
 * {@code upgrade}, {@code upgrade_fleet} or SIGHUP arriving meanwhile is queued: once the one in flight has
 * ended, exactly one more upgrade runs, picking up what is on disk then, and every request queued during the
 * first is answered when that second one ends. So a client is never told "Upgrade done" by an upgrade that
 * started before it asked.
 */
final class UpgradeQueue {
    private static final Logger log = LoggerFactory.getLogger(UpgradeQueue.class);
    static final String QUEUED = "Queued: an upgrade is in progress; this one starts once it has finished";

    private final Master master;
    private boolean inFlight;
    private boolean queued;
    /** Of the queued upgrade: the last request's kind wins. */
    private boolean queuedSmooth;

    UpgradeQueue(Master master, boolean inFlight, boolean queued, boolean queuedSmooth) {
        this.master = master;
        this.inFlight = inFlight;
        this.queued = queued;
        this.queuedSmooth = queuedSmooth;
    }

    /**
     * {@code upgrade}/{@code upgrade_fleet} from {@code client} (null for SIGHUP) whose request had {@code id}
     * (null: old-style, no stream). The client has had its first reply.
     */
    void request(Connection client, Object id, boolean smooth) {
        if (!inFlight) {
            if (client != null && id != null) client.subscribeToUpgrade(id);
            start(smooth);
            return;
        }
        queued = true;
        queuedSmooth = smooth;
        log.info("An upgrade is in progress; one more will start once it has finished");
        if (client != null && id != null) {
            client.queueForUpgrade(id);
            master.reply(client, id, QUEUED, false);
        }
    }

    /** The upgrade in flight sent its last message (done or failed). */
    void finished() {
        inFlight = false;
    }

    /** From the loop: starts the queued upgrade once none is in flight; fails what waits if we are stopping. */
    void tick() {
        if (!master.pool.respawning() && (inFlight || queued)) {
            inFlight = false;
            queued = false;
            for (Connection c : master.commandServer().connections()) c.promoteQueuedUpgrade();
            master.log(dev.einhorn.pool.WorkerHost.Level.ERROR, "Upgrade failed: einhorn is shutting down", true, true);
            return;
        }
        if (inFlight || !queued) return;
        queued = false;
        for (Connection c : master.commandServer().connections()) c.promoteQueuedUpgrade();
        log.info("Starting the queued upgrade");
        start(queuedSmooth);
    }

    private void start(boolean smooth) {
        inFlight = true;
        master.reload.request(true, smooth);
    }

    boolean inFlight() {
        return inFlight;
    }

    boolean queued() {
        return queued;
    }

    boolean queuedSmooth() {
        return queuedSmooth;
    }
}
