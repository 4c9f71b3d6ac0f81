package dev.einhorn.it;

import dev.einhorn.it.FuzzRequest.Ending;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * One fuzz request over its own connection to the command socket: written in the request's chunks, then
 * either left (hang-up, mid-line) or read to the end of its reply, which must be well-formed (each line a
 * YAML mapping with a message once unescaped), or to the master's close. Bounded by {@link #TIMEOUT}.
 */
final class FuzzExchange {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    enum Result { REPLIED, CLOSED, DISCONNECTED, TIMED_OUT }

    /** What happened, and the reply messages when there was a reply. */
    record Outcome(Result result, List<String> messages, String malformed) {}

    private FuzzExchange() {}

    static Outcome send(Path socket, FuzzRequest request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            byte[] line = request.line();
            byte[] bytes = switch (request.ending()) {
                case MID_LINE -> Arrays.copyOf(line, line.length * request.chunks() / 4); // never the whole line
                default -> Arrays.copyOf(line, line.length + 1);
            };
            if (request.ending() != Ending.MID_LINE) bytes[line.length] = '\n';
            try {
                int chunk = Math.max(1, (bytes.length + request.chunks() - 1) / request.chunks());
                for (int at = 0; at < bytes.length; at += chunk) {
                    write(channel, selector, ByteBuffer.wrap(bytes, at, Math.min(chunk, bytes.length - at)), deadline);
                }
            } catch (IOException closedWhileWriting) {
                // the master may close first (an over-long line): that is its answer
                return new Outcome(Result.CLOSED, List.of(), null);
            }
            if (request.ending() != Ending.LINE) return new Outcome(Result.DISCONNECTED, List.of(), null);
            return readReply(channel, selector, deadline);
        }
    }

    private static void write(SocketChannel channel, Selector selector, ByteBuffer b, long deadline) throws IOException {
        SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
        try {
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new IOException("could not write within " + TIMEOUT);
                    selector.select(Math.max(1, left / 1_000_000));
                    selector.selectedKeys().clear();
                }
            }
        } finally {
            key.interestOps(0);
        }
    }

    private static Outcome readReply(SocketChannel channel, Selector selector, long deadline) throws IOException {
        channel.register(selector, SelectionKey.OP_READ);
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        List<String> messages = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        int scanned = 0;
        while (true) {
            byte[] have = pending.toByteArray();
            for (int i = scanned; i < have.length; i++) {
                if (have[i] != '\n') continue;
                String replyLine = new String(have, 0, i, StandardCharsets.UTF_8);
                pending.reset();
                pending.write(have, i + 1, have.length - i - 1);
                Map<?, ?> reply;
                try {
                    Object parsed = new Load(LoadSettings.builder().setCodePointLimit(64 << 20).build())
                            .loadFromString(replyLine.replace("%0A", "\n").replace("%25", "%"));
                    if (!(parsed instanceof Map<?, ?> m) || !m.containsKey("message")) throw new IllegalStateException("no message");
                    reply = m;
                } catch (RuntimeException e) {
                    return new Outcome(Result.REPLIED, messages, replyLine.substring(0, Math.min(300, replyLine.length())));
                }
                messages.add(String.valueOf(reply.get("message")));
                if (!Boolean.TRUE.equals(reply.get("wait"))) return new Outcome(Result.REPLIED, messages, null);
                have = pending.toByteArray();
                i = -1;
            }
            scanned = have.length;
            long left = deadline - System.nanoTime();
            if (left <= 0) return new Outcome(Result.TIMED_OUT, messages, null);
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            buf.clear();
            int n;
            try {
                n = channel.read(buf);
            } catch (IOException reset) {
                n = -1;
            }
            if (n < 0) return new Outcome(messages.isEmpty() ? Result.CLOSED : Result.REPLIED, messages, null);
            pending.write(buf.array(), 0, n);
        }
    }
}
