package dev.einhorn.samples;

import dev.einhorn.runtime.Einhorn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Einhorn's {@code example/time_server}, in Java: every connection on the einhorn-bound socket gets
 * one line, {@code [PID] The current time is: TIME!}, and is closed.
 *
 * <pre>
 * einhorn -m manual -b 127.0.0.1:2345,r -n 4 -- \
 *   java --add-opens java.base/sun.nio.ch=ALL-UNNAMED -cp sample-app/target/sample-app.jar dev.einhorn.samples.TimeServer
 * nc 127.0.0.1 2345
 * </pre>
 *
 * It acks by hand once it serves, so run einhorn with {@code -m manual}. On the graceful signal
 * (SIGUSR2, or {@code EINHORN_GRACEFUL_SIGNAL}) it stops accepting, lets the connections it has
 * accepted finish, and exits 0. Outside einhorn, {@code TimeServer PORT} serves 127.0.0.1:PORT itself.
 */
public final class TimeServer {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");
    private static final long DRAIN_SECONDS = 30;

    private TimeServer() {
    }

    public static void main(String[] args) throws Exception {
        einhornMain(args);
    }

    public static void einhornMain(String[] args) throws Exception {
        long pid = ProcessHandle.current().pid();
        ServerSocketChannel server;
        boolean worker = Einhorn.socketCount() > 0;
        if (worker) {
            System.out.println("Called with EINHORN_FD_0: " + System.getenv("EINHORN_FD_0"));
            server = Einhorn.serverSocket(0);
        } else if (args.length == 1) {
            server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])));
        } else {
            throw new IllegalArgumentException("Run me under einhorn with a bound socket, e.g. "
                    + "'einhorn -m manual -b 127.0.0.1:2345,r -- java --add-opens java.base/sun.nio.ch=ALL-UNNAMED "
                    + "-cp sample-app.jar " + TimeServer.class.getName() + "', or on my own as 'TimeServer PORT'");
        }

        // Came up: set up the graceful handler, then ack the master.
        Einhorn.onGracefulShutdown(() -> {
            System.out.println("[" + pid + "] Graceful shutdown: no longer accepting");
            try {
                server.close();          // wakes the accept() below; closes only this worker's copy
            } catch (IOException e) {
                System.err.println("[" + pid + "] closing the socket: " + e);
            }
        });
        if (worker) {
            Einhorn.ack();
        }
        System.out.println("[" + pid + "] Listening on " + server.getLocalAddress());

        ExecutorService connections = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "time-server-conn");
            t.setDaemon(true);
            return t;
        });
        try {
            while (true) {
                SocketChannel accepted = server.accept();
                try {
                    connections.execute(() -> answer(pid, accepted));
                } catch (RejectedExecutionException e) {
                    accepted.close();
                }
            }
        } catch (ClosedChannelException stopped) {
            // the graceful handler closed the socket
        }

        connections.shutdown();
        if (!connections.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
            System.err.println("[" + pid + "] Connections still open after " + DRAIN_SECONDS + " s; exiting anyway");
        }
        System.out.println("Goodbye from " + pid);
    }

    private static void answer(long pid, SocketChannel accepted) {
        try (SocketChannel c = accepted) {
            String line = "[" + pid + "] The current time is: " + ZonedDateTime.now().format(TIME) + "!\n";
            ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                c.write(buf);
            }
        } catch (IOException e) {
            System.err.println("[" + pid + "] " + e);
        }
    }
}
