package dev.einhorn.systemd;

import dev.einhorn.pool.Clock;
import dev.einhorn.pool.Pool;
import dev.einhorn.posix.Sockets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3) from the master when {@code NOTIFY_SOCKET} is set (systemd {@code Type=notify}). An observer:
 * the loop calls {@link #afterTick} after every pool tick, and this compares the pool's (acked, number,
 * upgrading, upgrades done, respawning) to what it last told systemd:
 * <ul>
 *   <li>{@code READY=1} with {@code MAINPID=} once the first generation is up (acked workers = number);</li>
 *   <li>{@code RELOADING=1} with {@code MONOTONIC_USEC=} (CLOCK_MONOTONIC, which is what {@link System#nanoTime}
 *       reads on Linux) when an upgrade starts, and {@code READY=1} when it ends, whether it succeeded or
 *       failed;</li>
 *   <li>{@code STATUS=} a one-line summary whenever it changes;</li>
 *   <li>{@code STOPPING=1} once the master stops respawning (TERM, INT, USR2, die);</li>
 *   <li>{@code WATCHDOG=1} every WATCHDOG_USEC/2 when {@code WATCHDOG_USEC} is set and {@code WATCHDOG_PID} is
 *       ours or absent: a timer the loop includes in its sleep through {@link #nextDeadline()}.</li>
 * </ul>
 * The pid is the same before and after bin/einhorn's exec and the master's own re-exec, so MAINPID stays
 * right. A failed send is logged once and never stops the master.
 */
public final class SystemdNotify {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);

    /** Where datagrams go; the real one is {@link Sockets#sendDatagram}. */
    interface Sender {
        void send(String address, String message) throws Exception;
    }

    private final String address;
    private final int pid;
    private final Sender sender;
    private final Clock clock;
    private final double watchdogInterval;
    private double nextWatchdog;
    private boolean ready;
    private boolean inUpgrade;
    private int upgradesSeen;
    private boolean stopping;
    private String lastStatus;
    private boolean failureLogged;

    SystemdNotify(String address, int pid, Double watchdogIntervalSeconds, Sender sender, Clock clock) {
        this.address = address;
        this.pid = pid;
        this.sender = sender;
        this.clock = clock;
        this.watchdogInterval = watchdogIntervalSeconds == null ? Double.NaN : watchdogIntervalSeconds;
        this.nextWatchdog = clock.now();
    }

    /** From the master's environment; a no-op notifier when NOTIFY_SOCKET is not set. */
    public static SystemdNotify fromEnvironment(Map<String, String> env, int pid) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) return new SystemdNotify(null, pid, null, null, Clock.SYSTEM);
        return new SystemdNotify(socket, pid, watchdogInterval(env, pid),
                (addr, msg) -> Sockets.get().sendDatagram(addr, msg.getBytes(StandardCharsets.UTF_8)), Clock.SYSTEM);
    }

    /** WATCHDOG_USEC / 2 in seconds, or null when there is no watchdog for this process. */
    static Double watchdogInterval(Map<String, String> env, int pid) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null || usec.isBlank()) return null;
        String forPid = env.get("WATCHDOG_PID");
        if (forPid != null && !forPid.isBlank() && !forPid.trim().equals(Integer.toString(pid))) return null;
        try {
            long us = Long.parseLong(usec.trim());
            return us > 0 ? us / 2e6 : null;
        } catch (NumberFormatException e) {
            log.warn("Ignoring WATCHDOG_USEC={}: not a number", usec);
            return null;
        }
    }

    boolean enabled() {
        return address != null;
    }

    /** The monotonic time (seconds, {@link Clock#now()}) of the next watchdog ping, or +infinity. */
    public double nextDeadline() {
        return enabled() && !Double.isNaN(watchdogInterval) ? nextWatchdog : Double.POSITIVE_INFINITY;
    }

    /** Compares the pool to what systemd was last told and sends what changed. */
    public void afterTick(Pool pool) {
        if (!enabled()) return;
        List<String> datagrams = new ArrayList<>();
        String status = status(pool);
        boolean statusSent = false;
        if (!pool.respawning()) {
            if (!stopping) {
                stopping = true;
                datagrams.add("STOPPING=1\nSTATUS=" + status);
                statusSent = true;
            }
        } else {
            int upgradesDone = pool.upgradesCompleted() + pool.upgradesFailed();
            boolean started = pool.upgrading() || upgradesDone != upgradesSeen;
            if (ready && !inUpgrade && started) {
                inUpgrade = true;
                datagrams.add("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=" + status);
                statusSent = true;
            }
            if (ready && inUpgrade && !pool.upgrading()) {
                inUpgrade = false;
                datagrams.add("READY=1\nSTATUS=" + status);
                statusSent = true;
            }
            if (!ready && !pool.upgrading() && pool.ackCount() >= pool.number()) {
                ready = true;
                datagrams.add("READY=1\nMAINPID=" + pid + "\nSTATUS=" + status);
                statusSent = true;
            }
            upgradesSeen = upgradesDone;
        }
        if (!statusSent && !status.equals(lastStatus)) datagrams.add("STATUS=" + status);
        lastStatus = status;
        double now = clock.now();
        if (!Double.isNaN(watchdogInterval) && now >= nextWatchdog) {
            datagrams.add("WATCHDOG=1");
            nextWatchdog = now + watchdogInterval;
        }
        for (String d : datagrams) send(d);
    }

    /**
     * The master is about to re-exec itself (reload, or the reload that starts an upgrade): RELOADING=1 now;
     * the new image (same pid) sends READY=1 once its pool is up. If the exec fails, the next tick here sends
     * READY=1.
     */
    public void reloading() {
        if (!enabled() || inUpgrade) return;
        inUpgrade = true;
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000);
    }

    /** "2/2 workers acked, version 1", plus ", upgrading" or ", stopping". */
    static String status(Pool pool) {
        return pool.ackCount() + "/" + pool.number() + " workers acked, version " + pool.version()
                + (!pool.respawning() ? ", stopping" : pool.upgrading() ? ", upgrading" : "");
    }

    private void send(String message) {
        try {
            sender.send(address, message);
            log.debug("sd_notify {}: {}", address, message.replace('\n', ' '));
        } catch (Exception e) {
            if (!failureLogged) {
                failureLogged = true;
                log.warn("Could not notify systemd at NOTIFY_SOCKET={}: {} (further failures are not logged)",
                        address, e.getMessage());
            }
        }
    }
}
