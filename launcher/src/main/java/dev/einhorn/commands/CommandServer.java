package dev.einhorn.commands;

import dev.einhorn.files.OwnFiles;
import dev.einhorn.posix.Posix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command socket: accepts clients, cuts their bytes into lines, queues their replies. Runs entirely on the
 * event loop's thread; every socket is non-blocking. Lines go to a {@link LineHandler}.
 *
 * <p>Why the JDK's UNIX-domain channels rather than jnr-unixsocket: they plug into the same {@link Selector} as
 * everything else, and {@code SO_PEERCRED} gives the peer's user, which is all the access check needs.
 */
public final class CommandServer {
    public interface LineHandler {
        void onLine(Connection connection, String line);
    }

    private static final Logger log = LoggerFactory.getLogger(CommandServer.class);

    /**
     * What all clients together may hold in the master: unfinished request lines and unwritten replies. Each
     * client is bounded on its own (1 MiB of line, {@link Connection#MAX_PENDING_OUTPUT} of replies), but
     * dozens of them would fill the master's 64 MiB heap, and a re-exec copies all of it into the hand-over:
     * without this, 60 clients each holding an unfinished 1 MiB line, or 4 that never read, made the next
     * {@code upgrade} die of OutOfMemoryError (docs/PROTOCOL.md, "Bounds").
     */
    static final long MAX_BUFFERED_BYTES = 8 << 20;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Posix posix;
    private final LineHandler handler;
    private final String ownUser = System.getProperty("user.name");
    private final long ownUid = ownUid();
    private final Map<Connection, SelectionKey> connections = new LinkedHashMap<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private int nextClientId = 1;
    private final SelectionKey acceptKey;
    /** While accept() fails (out of file descriptors), when to try again; infinite when accepting. */
    private double resumeAcceptingAt = Double.POSITIVE_INFINITY;
    /** The sum of every open connection's {@link Connection#bufferedBytes()}. */
    private long bufferedBytes;

    public CommandServer(ServerSocketChannel server, Selector selector, Posix posix, LineHandler handler) throws IOException {
        this.server = server;
        this.selector = selector;
        this.posix = posix;
        this.handler = handler;
        server.configureBlocking(false);
        acceptKey = server.register(selector, SelectionKey.OP_ACCEPT, this);
    }

    public ServerSocketChannel channel() {
        return server;
    }

    public Collection<Connection> connections() {
        return List.copyOf(connections.keySet());
    }

    /** Accepts every pending client; refuses peers that are neither our user nor root. */
    public void acceptAll() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                pauseAccepting(e);
                return;
            }
            if (channel == null) return;
            int id = nextClientId++;
            try {
                String peer = peerUser(channel);
                if (!allowed(peer)) {
                    log.error("[client {}] refusing a connection from user {}: only {} may use the command socket",
                            id, peer == null ? "(unknown: no SO_PEERCRED)" : peer,
                            ownUser.equals("root") ? "root" : ownUser + " and root");
                    channel.close();
                    continue;
                }
                channel.configureBlocking(false);
                Connection c = new Connection(channel, id, posix.fdOf(channel));
                connections.put(c, channel.register(selector, SelectionKey.OP_READ, c));
                log.debug("[{}] client connected", c.label());
            } catch (IOException e) {
                log.error("[client {}] dropped while connecting: {}", id, e.getMessage());
                closeQuietly(channel);
            }
        }
    }

    /**
     * Stops accepting for {@link #ACCEPT_RETRY_SECONDS}. The client that could not be accepted stays in the
     * listen queue, so the selector reports it again at once: retrying at once made the loop spin at 100% CPU
     * and log 100,000 lines a second (3.7 GB in a minute) while another client held every file descriptor.
     */
    private void pauseAccepting(IOException e) {
        log.error("Could not accept a command-socket client: {}; trying again in {}s", e.getMessage(),
                ACCEPT_RETRY_SECONDS);
        acceptKey.interestOps(0);
        resumeAcceptingAt = dev.einhorn.pool.Clock.SYSTEM.now() + ACCEPT_RETRY_SECONDS;
    }

    static final double ACCEPT_RETRY_SECONDS = 1;

    /** When the loop must wake up for this server: to accept again after a failed accept. */
    public double nextWakeup() {
        return resumeAcceptingAt;
    }

    public void tick(double now) {
        if (now >= resumeAcceptingAt && acceptKey.isValid()) {
            resumeAcceptingAt = Double.POSITIVE_INFINITY;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    /** Takes over a client of the previous master image (after a re-exec). */
    public void adopt(Connection c) throws IOException {
        c.channel.configureBlocking(false);
        int interest = c.hasPendingOutput() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        connections.put(c, c.channel.register(selector, interest, c));
        bufferedBytes += c.bufferedBytes();
        nextClientId = Math.max(nextClientId, c.id + 1);
    }

    /** Writes what each client's socket takes now, without waiting (before a re-exec). */
    public void flushAll() {
        for (Connection c : connections()) flush(c);
    }

    /**
     * Our user or root. The JDK names the peer by looking its uid up (getpwuid), and gives the bare number when
     * that fails, as it does once the master is short of file descriptors: a root client was then refused as
     * "user 0", so a numeric name is compared as a uid.
     */
    private boolean allowed(String peer) {
        if (peer == null) return false;
        if (peer.equals(ownUser) || peer.equals("root")) return true;
        if (!peer.isEmpty() && peer.chars().allMatch(ch -> ch >= '0' && ch <= '9') && peer.length() < 19) {
            long uid = Long.parseLong(peer);
            return uid == 0 || uid == ownUid;
        }
        return false;
    }

    private static long ownUid() {
        try {
            return OwnFiles.ownUid();
        } catch (IOException e) {
            return 0; // unknown: only root's numeric name is then accepted, as root always is
        }
    }

    private static String peerUser(SocketChannel channel) {
        try {
            UnixDomainPrincipal p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return p.user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Reads what is there and hands complete lines to the handler; closes on EOF, errors, or an overlong line. */
    public void onReadable(Connection c) {
        while (!c.isClosed()) {
            readBuffer.clear();
            int n;
            try {
                n = c.channel.read(readBuffer);
            } catch (IOException e) {
                log.debug("[{}] read failed: {}", c.label(), e.getMessage());
                close(c);
                return;
            }
            if (n < 0) {
                log.debug("[{}] client disconnected", c.label());
                close(c);
                return;
            }
            if (n == 0) return;
            readBuffer.flip();
            List<String> lines = null;
            Connection.LineTooLongException tooLong = null;
            long before = c.bufferedBytes();
            try {
                lines = c.takeLines(readBuffer);
            } catch (Connection.LineTooLongException e) {
                tooLong = e;
            } finally { // also when takeLines throws an Error: close() subtracts what the client holds
                bufferedBytes += c.bufferedBytes() - before;
            }
            if (tooLong != null) {
                log.error("[{}] closing the connection: {}", c.label(), tooLong.getMessage());
                close(c);
                return;
            }
            enforceBudget();
            for (String line : lines) {
                if (c.isClosed()) return;
                try {
                    handler.onLine(c, line);
                } catch (Throwable t) { // even an Error (OutOfMemoryError): it costs this client, never the master
                    failed(c, t);
                    return;
                }
            }
        }
    }

    /** Drops a client whose handling threw; what it held is garbage now, so the loop can carry on. */
    public void failed(Connection c, Throwable t) {
        close(c);
        log.error("[{}] closed the connection: handling it failed with {}", c.label(), t.toString());
    }

    public void onWritable(Connection c) {
        flush(c);
    }

    /** Queues a framed line for a client and writes what the socket takes now. */
    public void send(Connection c, String framedLine) {
        if (c.isClosed()) return;
        long before = c.bufferedBytes();
        boolean withinOwnLimit = c.send(framedLine);
        bufferedBytes += c.bufferedBytes() - before;
        if (!withinOwnLimit) {
            log.error("[{}] closing the connection: the client is not reading its replies ({} bytes waiting)",
                    c.label(), Connection.MAX_PENDING_OUTPUT);
            close(c);
            return;
        }
        flush(c);
        enforceBudget();
    }

    /**
     * Keeps {@link #MAX_BUFFERED_BYTES}: while the clients hold more, the one holding the most is dropped. That
     * is the client sending a huge line or not reading, never a small request among them.
     */
    private void enforceBudget() {
        while (bufferedBytes > MAX_BUFFERED_BYTES) {
            Connection largest = null;
            for (Connection c : connections.keySet()) {
                if (largest == null || c.bufferedBytes() > largest.bufferedBytes()) largest = c;
            }
            if (largest == null) return;
            log.error("[{}] closing the connection: the clients hold {} bytes of unfinished requests and unread "
                    + "replies (the limit is {}), this one the most ({} bytes)", largest.label(), bufferedBytes,
                    MAX_BUFFERED_BYTES, largest.bufferedBytes());
            close(largest);
        }
    }

    /** Closes once every queued reply is written (worker:ack, worker:ping). */
    public void closeWhenFlushed(Connection c) {
        c.closeWhenFlushed();
        flush(c);
    }

    private void flush(Connection c) {
        if (c.isClosed()) return;
        long before = c.bufferedBytes();
        try {
            boolean done;
            try {
                done = c.flush();
            } finally {
                bufferedBytes += c.bufferedBytes() - before;
            }
            if (done && c.shouldCloseWhenFlushed()) {
                close(c);
                return;
            }
            SelectionKey key = connections.get(c);
            if (key != null && key.isValid()) {
                key.interestOps(done ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } catch (IOException e) {
            log.debug("[{}] write failed: {}", c.label(), e.getMessage());
            close(c);
        }
    }

    void close(Connection c) {
        if (c.isClosed()) return;
        c.markClosed();
        SelectionKey key = connections.remove(c);
        if (key != null) bufferedBytes -= c.bufferedBytes();
        if (key != null) key.cancel();
        closeQuietly(c.channel);
    }

    /** Closes the listening socket and every client. */
    public void closeAll() {
        new ArrayList<>(connections.keySet()).forEach(this::close);
        closeQuietly(server);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }
}
