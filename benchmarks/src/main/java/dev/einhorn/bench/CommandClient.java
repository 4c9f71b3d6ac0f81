package dev.einhorn.bench;

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

/**
 * A command-socket client (Einhorn's line protocol: one JSON request per line; replies are YAML documents with
 * {@code %} and newline escaped to {@code %25}/{@code %0A}, one per line, {@code wait: true} until the last).
 * Every read has a deadline.
 */
public final class CommandClient implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    private int nextId = 1;

    public CommandClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    private void send(String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) Thread.onSpinWait();
        }
    }

    private String readLine(long deadlineNanos) throws IOException {
        while (true) {
            byte[] have = pending.toByteArray();
            for (int i = 0; i < have.length; i++) {
                if (have[i] == '\n') {
                    pending.reset();
                    pending.write(have, i + 1, have.length - i - 1);
                    return new String(have, 0, i, StandardCharsets.UTF_8);
                }
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) throw new IOException("no reply from the master in time");
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            buf.clear();
            int n = channel.read(buf);
            if (n < 0) return null;
            pending.write(buf.array(), 0, n);
        }
    }

    public static String decode(String line) {
        return line.replace("%0A", "\n").replace("%25", "%");
    }

    /** Sends {command, args} and returns every reply's message until the one without wait. */
    public List<String> request(String command, List<String> args, Duration timeout) throws IOException {
        StringBuilder json = new StringBuilder("{\"id\":").append(nextId++).append(",\"command\":\"").append(command).append('"');
        if (args != null) {
            json.append(",\"args\":[");
            for (int i = 0; i < args.size(); i++) {
                if (i > 0) json.append(',');
                json.append('"').append(args.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            json.append(']');
        }
        send(json.append("}\n").toString());
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> messages = new ArrayList<>();
        while (true) {
            String line = readLine(deadline);
            if (line == null) throw new IOException("the master closed the connection after " + messages);
            Object doc = Json.parse(decode(line));
            if (!(doc instanceof Map<?, ?> reply)) throw new IOException("not a reply: " + line);
            messages.add(String.valueOf(reply.get("message")));
            if (!Boolean.TRUE.equals(reply.get("wait"))) return messages;
        }
    }

    public String request(String command, String... args) throws IOException {
        List<String> m = request(command, args.length == 0 ? null : List.of(args), Duration.ofSeconds(20));
        return String.join("\n", m);
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
