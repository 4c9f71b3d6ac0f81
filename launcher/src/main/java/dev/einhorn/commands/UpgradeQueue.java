package dev.einhorn.commands;

import dev.einhorn.pool.Pool;
import dev.einhorn.protocol.Replies;
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
public final class UpgradeQueue {
    private static final Logger log = LoggerFactory.getLogger(UpgradeQueue.class);
    static final String QUEUED = "Queued: an upgrade is in progress; this one starts once it has finished";

    private final MasterControl master;
    private final Pool pool;
    private boolean inFlight;
    /**
     * Of the upgrade in flight: smooth or fleet. This is the one place the kind is kept from the request until the
     * re-exec'd image hands it to {@link Pool#upgrade(boolean)}, which then keeps it for the upgrade it runs.
     */
    private boolean inFlightSmooth;
    private boolean queued;
    /** Of the queued upgrade: the last request's kind wins. */
    private boolean queuedSmooth;

    /** No upgrade in flight or queued (a fresh start). */
    public UpgradeQueue(MasterControl master, Pool pool) {
        this(master, pool, false, false, false, false);
    }

    /** As the previous master image left it (after a re-exec). */
    public UpgradeQueue(MasterControl master, Pool pool, boolean inFlight, boolean inFlightSmooth, boolean queued,
            boolean queuedSmooth) {
        this.master = master;
        this.pool = pool;
        this.inFlight = inFlight;
        this.inFlightSmooth = inFlightSmooth;
        this.queued = queued;
        this.queuedSmooth = queuedSmooth;
    }

    /**
     * {@code upgrade}/{@code upgrade_fleet} from {@code client} (null for SIGHUP) whose request had {@code id}
     * (null: old-style, no stream). The client has had its first reply.
     */
    public void request(Connection client, Object id, boolean smooth) {
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
            master.send(client, Replies.encode(QUEUED, id, false));
        }
    }

    /** The upgrade in flight sent its last message (done or failed). */
    public void finished() {
        inFlight = false;
    }

    /** From the loop: starts the queued upgrade once none is in flight; fails what waits if we are stopping. */
    public void tick() {
        if (!pool.respawning() && (inFlight || queued)) {
            inFlight = false;
            queued = false;
            for (Connection c : master.clients()) c.promoteQueuedUpgrade();
            master.upgradeFailed("einhorn is shutting down");
            return;
        }
        if (inFlight || !queued) return;
        queued = false;
        for (Connection c : master.clients()) c.promoteQueuedUpgrade();
        log.info("Starting the queued upgrade");
        start(queuedSmooth);
    }

    private void start(boolean smooth) {
        inFlight = true;
        inFlightSmooth = smooth;
        master.reexec(true);
    }

    public boolean inFlight() {
        return inFlight;
    }

    /** Whether the upgrade in flight is smooth (else fleet); meaningless when none is in flight. */
    public boolean inFlightSmooth() {
        return inFlightSmooth;
    }

    public boolean queued() {
        return queued;
    }

    public boolean queuedSmooth() {
        return queuedSmooth;
    }
}
