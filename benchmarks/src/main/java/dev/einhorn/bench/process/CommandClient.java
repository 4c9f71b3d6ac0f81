package dev.einhorn.bench.process;

import dev.einhorn.protocol.Client;
import dev.einhorn.protocol.ParseException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command-socket client for the benchmarks: one request, every reply's message until the one without
 * {@code wait}, each read with a deadline. The protocol itself is the master's own {@link Client}.
 */
public final class CommandClient implements AutoCloseable {
    private final Client client;
    private int nextId = 1;

    public CommandClient(Path socket) throws IOException {
        client = Client.connect(socket);
    }

    /** Sends {command, args} and returns every reply's message until the one without wait. */
    public List<String> request(String command, List<String> args, Duration timeout) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", nextId++);
        request.put("command", command);
        if (args != null) request.put("args", args);
        client.send(request);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> messages = new ArrayList<>();
        while (true) {
            Object reply;
            try {
                reply = client.receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (java.io.EOFException e) {
                throw new IOException("the master closed the connection after " + messages);
            } catch (ParseException e) {
                throw new IOException("not a reply: " + e.getMessage());
            }
            if (!(reply instanceof Map<?, ?> m)) throw new IOException("not a reply: " + reply);
            messages.add(String.valueOf(m.get("message")));
            if (!Boolean.TRUE.equals(m.get("wait"))) return messages;
        }
    }

    public String request(String command, String... args) throws IOException {
        List<String> m = request(command, args.length == 0 ? null : List.of(args), Duration.ofSeconds(20));
        return String.join("\n", m);
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
