package dev.einhorn.samples.hello;

import dev.einhorn.runtime.Einhorn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A hello-world HTTP server on Jetty 12, for {@code einhorn -p}: every worker serves the socket einhorn bound.
 *
 * <pre>
 * bin/einhorn -n 3 -b 127.0.0.1:8080 -m manual -p sample-app/target/http-hello.jar sample-app/target/http-hello.jar
 * curl http://127.0.0.1:8080/
 * </pre>
 *
 * {@link #einhornMain} adopts the inherited socket ({@code ServerConnector.open(channel)}), acks once Jetty
 * serves, and on the graceful signal stops accepting, lets requests in flight finish (up to 10 s) and exits 0.
 * {@link #einhornPreload} runs in the master's training run and in every warm standby: it starts a server on an
 * ephemeral port and sends it one request, so Jetty's request path is in the archive and warm in a standby. Outside einhorn, {@code HttpHello PORT}
 * binds 127.0.0.1:PORT itself. The answer's text comes from the {@code GREETING} environment variable
 * (default {@code hello}).
 */
public final class HttpHello {
    private static final AtomicLong REQUESTS = new AtomicLong();
    /** How long a stopping worker must see no open connection before it stops Jetty. */
    private static final long QUIET_MS = 200;

    private HttpHello() {
    }

    public static void main(String[] args) throws Exception {
        einhornMain(args);
    }

    public static void einhornMain(String[] args) throws Exception {
        long pid = ProcessHandle.current().pid();
        boolean worker = Einhorn.socketCount() > 0;
        Server server = newServer();
        ServerConnector connector = new ServerConnector(server, 1, 1);
        if (worker) {
            ServerSocketChannel channel = Einhorn.serverSocket(0);
            connector.open(channel);
        } else if (args.length == 1) {
            connector.setHost("127.0.0.1");
            connector.setPort(Integer.parseInt(args[0]));
        } else {
            throw new IllegalArgumentException("Run me under einhorn with a bound socket (einhorn -b HOST:PORT -p "
                    + "http-hello.jar http-hello.jar), or on my own as 'HttpHello PORT'");
        }
        server.addConnector(connector);
        server.start();

        Einhorn.onGracefulShutdown(() -> {
            System.out.println("[" + pid + "] Graceful shutdown: finishing requests in flight");
            Thread stopper = new Thread(() -> {
                try {
                    // Stop accepting first by closing this worker's copy of the listening socket (the others keep
                    // theirs), then answer what was already accepted: Jetty's stop() alone closed a connection
                    // accepted just before it without an answer (a failed request per upgrade or so).
                    // A connection the acceptor took just before the close becomes an end point a moment later
                    // (a task of Jetty's selector): wait until there has been none for QUIET_MS, not merely none.
                    connector.close();
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    long quietSince = System.nanoTime();
                    while (System.nanoTime() < deadline) {
                        if (!connector.getConnectedEndPoints().isEmpty()) quietSince = System.nanoTime();
                        else if (System.nanoTime() - quietSince >= QUIET_MS * 1_000_000L) break;
                        Thread.sleep(20);
                    }
                    server.stop();
                } catch (Exception e) {
                    System.err.println("[" + pid + "] stopping: " + e);
                }
            }, "http-hello-stop");
            stopper.start();
        });
        if (worker) {
            Einhorn.ack();
        }
        System.out.println("[" + pid + "] http-hello serving on " + connector.getLocalPort() + " after "
                + (System.currentTimeMillis() - ProcessHandle.current().info().startInstant()
                        .map(i -> i.toEpochMilli()).orElse(System.currentTimeMillis())) + " ms");
        server.join();
        System.out.println("Goodbye from " + pid + " after " + REQUESTS.get() + " requests");
    }

    /**
     * The warm-up, run by the master's training run and by every warm standby before it parks: start a server on
     * an ephemeral 127.0.0.1 port, send it a real request, stop it; then wait (at most 2 s) until the JIT compilers
     * are quiet. Without that wait a standby parks with the warm-up's compilations still queued, and when it is
     * activated soon after (an upgrade step, a crash loop) they compete with {@link #einhornMain} for the CPU. On
     * a loaded 2-core machine, activation to ACK without / with the wait: JDK 25 181 / 96 ms, JDK 17 75 / 47 ms
     * (medians of 25 each, {@code BenchMain standby variants=standby17,standby25 upgrade_rounds=0} with
     * {@code HTTP_HELLO_WARMUP_SETTLE_MS=0} and with the default, 5 alternating passes). Knobs for such experiments:
     * {@code HTTP_HELLO_WARMUP_ROUNDS} (default 1; later rounds send 5 requests) and
     * {@code HTTP_HELLO_WARMUP_SETTLE_MS} (default 2000, 0 = do not wait).
     */
    public static void einhornPreload() throws Exception {
        int rounds = Integer.parseInt(System.getenv().getOrDefault("HTTP_HELLO_WARMUP_ROUNDS", "1"));
        for (int i = 0; i < rounds; i++) warmUpOnce(i == 0 ? 1 : 5);
        settle(Long.parseLong(System.getenv().getOrDefault("HTTP_HELLO_WARMUP_SETTLE_MS", "2000")));
    }

    private static void warmUpOnce(int requests) throws Exception {
        Server server = newServer();
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.start();
        for (int r = 0; r < requests; r++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", connector.getLocalPort()), 5000);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write("GET /warm-up HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                in.readAllBytes();
            } catch (IOException e) {
                System.err.println("warm-up request: " + e);
            }
        }
        server.stop();
    }

    /** Waits until the JIT's total compilation time stops growing for 100 ms, at most maxMs. */
    private static void settle(long maxMs) throws InterruptedException {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (maxMs <= 0 || jit == null || !jit.isCompilationTimeMonitoringSupported()) return;
        long deadline = System.nanoTime() + maxMs * 1_000_000L;
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = jit.getTotalCompilationTime();
            if (now == last) return;
            last = now;
            Thread.sleep(100);
        }
    }

    private static Server newServer() {
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("http-hello");
        Server server = new Server(threads);
        server.setStopTimeout(10_000);
        server.setHandler(new Hello());
        return server;
    }

    /** {@code hello from PID (worker N)}, for every path. */
    static final class Hello extends Handler.Abstract.NonBlocking {
        private final String text;

        Hello() {
            String greeting = System.getenv().getOrDefault("GREETING", "hello");
            String index = Einhorn.childIndex().isPresent() ? " (worker " + Einhorn.childIndex().getAsInt() + ")" : "";
            text = greeting + " from " + ProcessHandle.current().pid() + index + "\n";
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            REQUESTS.incrementAndGet();
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.write(true, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }
}
