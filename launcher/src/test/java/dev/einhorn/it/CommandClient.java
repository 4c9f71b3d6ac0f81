package dev.einhorn.it;

import java.io.ByteArrayOutputStream;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A raw command-socket client for tests: sends exact bytes, reads exact lines, with deadlines. Decoding uses
 * only the two escapes of the wire format and a stock YAML parser, independent of the master's own codec.
 */
final class CommandClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    CommandClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    void sendRaw(String bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) Thread.onSpinWait();
        }
    }

    /** The next raw line (without newline), or null on EOF. */
    String readLine() throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        ByteBuffer one = ByteBuffer.allocate(64 * 1024);
        while (true) {
            byte[] have = pending.toByteArray();
            for (int i = 0; i < have.length; i++) {
                if (have[i] == '\n') {
                    pending.reset();
                    pending.write(have, i + 1, have.length - i - 1);
                    return new String(have, 0, i, StandardCharsets.UTF_8);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new IOException("no reply within " + TIMEOUT);
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            one.clear();
            int n = channel.read(one);
            if (n < 0) return null;
            pending.write(one.array(), 0, n);
        }
    }

    /** True when the master closed the connection (EOF) within the timeout. */
    boolean closedByPeer() throws IOException {
        try {
            return readLine() == null;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("no reply")) return false;
            return true; // reset by peer
        }
    }

    static String decode(String line) {
        return line.replace("%0A", "\n").replace("%25", "%");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String line) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(decode(line));
    }

    /** Sends a one-line JSON request and returns every reply's message until one without wait. */
    List<String> request(String json) throws IOException {
        sendRaw(json + "\n");
        List<String> messages = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) throw new IOException("connection closed after " + messages);
            Map<String, Object> reply = parse(line);
            messages.add(String.valueOf(reply.get("message")));
            if (!Boolean.TRUE.equals(reply.get("wait"))) return messages;
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
