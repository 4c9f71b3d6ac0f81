package dev.einhorn.springit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loopback HTTP load for upgrade tests: a few threads send {@code GET /hello} on new connections back to back and
 * record every failure (refused, reset, empty, not 200) and which worker pid answered. Bounded: stops when closed,
 * or after {@link #MAX_SECONDS} whatever happens.
 */
final class HttpLoad implements AutoCloseable {
    static final int MAX_SECONDS = 300;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    final AtomicLong requests = new AtomicLong();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final Map<Long, AtomicLong> answersByPid = new ConcurrentHashMap<>();

    HttpLoad(int port, int threadCount) {
        long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(() -> {
                while (running.get() && System.nanoTime() < deadline) one(port);
            }, "http-load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void one(int port) {
        requests.incrementAndGet();
        try {
            Http.Response r = Http.get(port, "/hello");
            if (r.status() != 200) {
                failures.add("HTTP " + r.status() + ": " + r.text());
                return;
            }
            answersByPid.computeIfAbsent(r.pid(), p -> new AtomicLong()).incrementAndGet();
        } catch (Exception e) {
            failures.add(e.toString());
        }
    }

    long answersFrom(List<Long> pids) {
        long n = 0;
        for (Long p : pids) n += answersByPid.getOrDefault(p, new AtomicLong()).get();
        return n;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) t.join(70_000);
    }
}
