package dev.einhorn.protocol;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A connection to a master's command socket, as Ruby's {@code Einhorn::Client}: send framed requests, read framed
 * replies one line at a time, optionally with a deadline (UNIX-domain channels have no socket timeouts, so the
 * channel is non-blocking and waits in a Selector).
 */
public final class Client implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private Client(SocketChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    /** Connects to the UNIX-domain socket at {@code path}. */
    public static Client connect(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path));
            channel.configureBlocking(false);
            Selector selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new Client(channel, selector);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    public void send(Map<String, Object> request) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Replies.encodeRequest(request).getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            if (channel.write(bytes) == 0) Thread.onSpinWait(); // the master reads as fast as it can
        }
    }

    /** {@link #receive(Duration)} without a deadline. */
    public Object receive() throws IOException, ParseException {
        return receive(null);
    }

    /**
     * Reads and parses the next reply (usually a mapping with {@code message}, maybe {@code request_id} and
     * {@code wait}; any YAML value is returned as loaded).
     *
     * @param timeout how long to wait, or null for ever
     * @throws EOFException if the master closed the connection first
     * @throws java.net.SocketTimeoutException if no whole reply came in time
     */
    public Object receive(Duration timeout) throws IOException, ParseException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        while (true) {
            byte[] have = pending.toByteArray();
            for (int i = 0; i < have.length; i++) {
                if (have[i] == '\n') {
                    pending.reset();
                    pending.write(have, i + 1, have.length - i - 1);
                    return Yaml.parseReply(Framing.decode(new String(have, 0, i, StandardCharsets.UTF_8)));
                }
            }
            if (have.length >= Framing.MAX_REPLY_LINE_BYTES) throw new IOException("reply line too long");
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new java.net.SocketTimeoutException("no reply within " + timeout.toSeconds() + "s");
            selector.select(timeout == null ? 0 : Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (n < 0) throw new EOFException("the master closed the connection");
            pending.write(readBuffer.array(), 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
