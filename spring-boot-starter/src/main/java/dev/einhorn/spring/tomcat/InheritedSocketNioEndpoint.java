package dev.einhorn.spring.tomcat;

import dev.einhorn.runtime.Einhorn;
import dev.einhorn.spring.EinhornSockets;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
 */
public class InheritedSocketNioEndpoint extends NioEndpoint {
    private final int socketIndex;
    private volatile ServerSocketChannel listener;
    private volatile boolean acceptingStopped;
    private SocketAddress previousRemoteAddress;   // acceptor thread only
    private long previousAcceptNanos;

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
            // Closed by pause(), which marks the endpoint paused right after: wait for that so the acceptor parks
            // quietly, then give it no socket (destroySocket(null) below balances its connection count).
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!isPaused() && isRunning() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            return null;
        }
        rejectDuplicateAccept(socket);
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

    /** Stops accepting by closing this process's copy of the socket, then pauses as Tomcat does. */
    @Override
    public void pause() {
        stopAccepting();
        super.pause();
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
