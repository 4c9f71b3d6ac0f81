package dev.einhorn.commands;

import java.util.Collection;

/**
 * What the commands ask of the master beyond its {@link dev.einhorn.pool.Pool}: who it is, how to answer a
 * client, what to report, and how to re-exec. The master implements it; unit tests with a recording fake.
 */
public interface MasterControl {
    /** The master's pid (the {@code ehlo} greeting, {@code dec}'s refusal). */
    int pid();

    /** {@code -c NAME}, or null. */
    String commandName();

    /** {@code --graceful-signal}: what {@code die} sends when no signal is given. */
    String gracefulSignal();

    /** Queues an already framed reply line for a client and writes what its socket takes now. */
    void send(Connection client, String framedLine);

    /** Closes a client once its queued replies are written ({@code worker:ack}, {@code worker:ping}). */
    void closeWhenFlushed(Connection client);

    /** The connected clients (those following an upgrade get its lines). */
    Collection<Connection> clients();

    /** The {@code state} reply: Einhorn's YAML dump, or the versioned JSON with {@code --json}. */
    String state(boolean json);

    /** The {@code metrics} reply (Prometheus text format). */
    String metrics();

    /** Starts a re-exec of the master: {@code reload}, or the first step of an upgrade. */
    void reexec(boolean forUpgrade);

    /** Ends the upgrade in flight with "Upgrade failed: REASON" for its clients and the log. */
    void upgradeFailed(String reason);
}
