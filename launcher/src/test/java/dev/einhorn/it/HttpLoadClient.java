package dev.einhorn.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loopback HTTP-ish load for the chaos test: threads send {@code GET /} back to back to the workers' shared
 * port and check each answer is {@code 200 OK} with a "VERSION PID" body.
 *
 * <p>Like any HTTP client with an idempotent request, it retries once when the connection is closed or reset
 * before the first byte of the answer: that is what a worker killed with {@code kill -9} while holding the
 * connection does to it, and each kill can cost at most the one connection that worker had accepted. A
 * request that fails again, times out, or gets a wrong answer is a failure. Bounded: stops when closed, or
 * after {@link #MAX_SECONDS}.
 */
final class HttpLoadClient implements AutoCloseable {
    static final int MAX_SECONDS = 300;
    private static final byte[] REQUEST = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final int port;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    final AtomicLong served = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final Map<String, AtomicLong> answersByVersion = new ConcurrentHashMap<>();

    HttpLoadClient(int port, int threadCount) {
        this.port = port;
        long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(() -> {
                while (running.get() && System.nanoTime() < deadline) {
                    one();
                    pause(); // steady load, not a benchmark: leave the cores to the master under test
                }
            }, "http-load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void one() {
        String answer;
        try {
            answer = get();
        } catch (LostBeforeAnswer first) {
            retried.incrementAndGet();
            try {
                answer = get();
            } catch (IOException second) {
                failures.add("retried, then: " + second);
                return;
            }
        } catch (IOException e) {
            failures.add(e.toString());
            return;
        }
        String[] head = answer.split("\r\n\r\n", 2);
        if (!head[0].startsWith("HTTP/1.0 200 OK") || head.length < 2 || !head[1].matches("\\S+ \\d+\n")) {
            failures.add("bad answer: \"" + answer + "\"");
            return;
        }
        served.incrementAndGet();
        answersByVersion.computeIfAbsent(head[1].split(" ")[0], v -> new AtomicLong()).incrementAndGet();
    }

    private String get() throws IOException {
        return get(port);
    }

    /** One request on a new connection; the whole answer. */
    static String get(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            try {
                s.getOutputStream().write(REQUEST);
            } catch (IOException e) {
                throw new LostBeforeAnswer(e.toString());
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            StringBuilder answer = new StringBuilder();
            try {
                for (int n; (n = in.read(buf)) >= 0; ) answer.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            } catch (java.net.SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                if (answer.length() == 0) throw new LostBeforeAnswer(e.toString());
                throw e;
            }
            if (answer.length() == 0) throw new LostBeforeAnswer("closed before any answer");
            return answer.toString();
        }
    }

    /** The connection ended (closed or reset) before the first byte of the answer: safe to retry once. */
    static final class LostBeforeAnswer extends IOException {
        LostBeforeAnswer(String why) {
            super(why);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) t.join(30_000);
    }
}
