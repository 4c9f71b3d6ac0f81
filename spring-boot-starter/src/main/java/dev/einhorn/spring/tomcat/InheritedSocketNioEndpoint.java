package dev.einhorn.spring.tomcat;

import dev.einhorn.runtime.Einhorn;
import dev.einhorn.spring.EinhornSockets;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.tomcat.util.net.NioEndpoint;

/**
 * Tomcat's NIO endpoint on a listening socket inherited from the einhorn master ({@link Einhorn#serverSocket(int)})
 * instead of one it binds itself. {@link NioEndpoint} keeps its own socket in a private field, so this subclass
 * keeps the inherited one and overrides every method that touches the listener: {@code initServerSocket} (Tomcat's
 * documented extension point "for custom server sockets"), {@code getServerSocket}, {@code serverSocketAccept},
 * {@code doCloseServerSocket}.
 *
 * <p>The socket is shared with the other workers and the master, which changes how accepting stops. Tomcat wakes
 * its blocked acceptor by connecting to its own port ({@code unlockAccept}); on a shared socket that connection
 * may land in another worker, and a client's connection may land here, be accepted after the pause and be closed
 * unanswered. So {@link #pause()} first closes this process's copy of the socket (the kernel keeps it listening
 * for the others; the acceptor's blocked {@code accept} ends with a {@link ClosedChannelException}), and a
 * connection that was already accepted at that moment is served rather than dropped.
 *
 * <p>A paused Tomcat no longer reads requests: a connection accepted a moment before the pause, whose request the
 * poller had not yet handed to a processor, is closed unanswered (an empty answer or a reset, a few per upgrade
 * under load), and Spring Boot's graceful shutdown, which waits only while a servlet runs, does not see it. So
 * {@link #pause()} waits between closing the listener and pausing, for at most {@link #RECENT_NANOS}, until the
 * connections accepted in the last {@link #RECENT_NANOS} are closed: a {@code Connection: close} request is answered
 * within that; a keep-alive client's open connection delays the stop by at most that long.
 */
public class InheritedSocketNioEndpoint extends NioEndpoint {
    private final int socketIndex;
    private volatile ServerSocketChannel listener;
    private volatile boolean acceptingStopped;
    private volatile boolean acceptorSawClose;   // the acceptor's accept() ended because pause() closed the listener
    private SocketAddress previousRemoteAddress;   // acceptor thread only
    private long previousAcceptNanos;
    /** How long a connection counts as just accepted, and the longest {@link #pause()} waits for such ones. */
    static final long RECENT_NANOS = 2_000_000_000L;
    private final Deque<Accepted> recent = new ArrayDeque<>();   // guarded by itself

    private record Accepted(SocketChannel socket, long nanos) {
    }

    /** The endpoint for einhorn's socket {@code socketIndex} ({@code -b} order, from 0). */
    public InheritedSocketNioEndpoint(int socketIndex) {
        this.socketIndex = socketIndex;
    }

    public int getSocketIndex() {
        return socketIndex;
    }

    @Override
    protected void initServerSocket() throws Exception {
        ServerSocketChannel channel = Einhorn.serverSocket(socketIndex);
        if (!channel.isOpen()) {
            throw new IllegalStateException("einhorn socket " + socketIndex + " was closed when this connector stopped;"
                    + " a worker does not listen again after it stopped accepting");
        }
        EinhornSockets.tcp(socketIndex);
        channel.configureBlocking(true);   // as NioEndpoint does: the acceptor thread blocks in accept()
        acceptingStopped = false;
        acceptorSawClose = false;
        listener = channel;
    }

    @Override
    protected NetworkChannel getServerSocket() {
        return listener;
    }

    @Override
    protected SocketChannel serverSocketAccept() throws Exception {
        SocketChannel socket;
        try {
            socket = listener.accept();
        } catch (ClosedChannelException e) {
            if (!acceptingStopped) {
                throw e;
            }
            acceptorSawClose = true;
            // Closed by pause(), which marks the endpoint paused right after: wait for that so the acceptor parks
            // quietly, then give it no socket (destroySocket(null) below balances its connection count).
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!isPaused() && isRunning() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            return null;
        }
        rejectDuplicateAccept(socket);
        remember(socket);
        return socket;
    }

    /**
     * The check NioEndpoint makes on every accepted socket (its fields are private): Linux kernels before 5.10
     * could return one connection twice, which Tomcat detects as the same remote address within a microsecond.
     */
    private void rejectDuplicateAccept(SocketChannel socket) throws IOException {
        SocketAddress remote = socket.getRemoteAddress();
        long now = System.nanoTime();
        if (remote.equals(previousRemoteAddress) && now - previousAcceptNanos < 1000) {
            throw new IOException("The same connection was accepted twice on einhorn socket " + socketIndex
                    + " (a Linux kernel bug, fixed in 5.10); the duplicate is ignored");
        }
        previousRemoteAddress = remote;
        previousAcceptNanos = now;
    }

    private void remember(SocketChannel socket) {
        long now = System.nanoTime();
        synchronized (recent) {
            while (!recent.isEmpty() && (now - recent.peekFirst().nanos() > RECENT_NANOS || !recent.peekFirst().socket().isOpen())) {
                recent.pollFirst();
            }
            recent.addLast(new Accepted(socket, now));
        }
    }

    /**
     * Stops accepting by closing this process's copy of the socket, waits (bounded) for the connections accepted
     * just before to be answered and closed, then pauses as Tomcat does.
     */
    @Override
    public void pause() {
        stopAccepting();
        awaitRecentConnections();
        super.pause();
    }

    private void awaitRecentConnections() {
        long deadline = System.nanoTime() + RECENT_NANOS;
        // an accept() that was completing as the listener closed still hands its connection over: wait for the
        // acceptor to come back empty-handed, so that connection is in the recent ones below
        while (!acceptorSawClose && isRunning() && System.nanoTime() < deadline) {
            if (!sleepABit()) return;
        }
        while (System.nanoTime() < deadline) {
            boolean open = false;
            synchronized (recent) {
                long now = System.nanoTime();
                for (Accepted a : recent) {
                    if (now - a.nanos() <= RECENT_NANOS && a.socket().isOpen()) {
                        open = true;
                        break;
                    }
                }
            }
            if (!open || !sleepABit()) return;
        }
    }

    private static boolean sleepABit() {
        try {
            Thread.sleep(2);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Nothing to unlock: {@link #pause()} closed the listener, which already woke the acceptor. */
    @Override
    protected void unlockAccept() {
    }

    /**
     * The acceptor calls this for a socket it accepted while pausing or stopping. Such a socket came from the
     * einhorn socket before this worker stopped accepting: a client is waiting on it, so it is served (the
     * paused endpoint answers and closes it) while the endpoint still runs.
     */
    @Override
    protected void destroySocket(SocketChannel socket) {
        if (socket == null) {
            countDownConnection();
            return;
        }
        if (acceptingStopped && isRunning() && setSocketOptions(socket)) {
            return;
        }
        super.destroySocket(socket);
    }

    @Override
    protected void doCloseServerSocket() throws IOException {
        stopAccepting();
    }

    private void stopAccepting() {
        acceptingStopped = true;
        ServerSocketChannel channel = listener;
        if (channel != null) {
            try {
                channel.close();   // this worker's copy only: the master and the other workers keep listening
            } catch (IOException e) {
                getLog().warn("Closing einhorn socket " + socketIndex + " failed", e);
            }
        }
    }
}
