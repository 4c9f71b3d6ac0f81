package dev.einhorn.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loopback load for upgrade tests: a few threads open connections back to back and record which version
 * answered. Bounded: stops when asked, or after {@link #MAX_SECONDS} whatever happens.
 */
final class LoadClient implements AutoCloseable {
    static final int MAX_SECONDS = 300;
    private final int port;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    /** The version the test expects to be rolling out; answers may come from it or the one before. */
    final AtomicInteger epoch = new AtomicInteger();
    final AtomicLong requests = new AtomicLong();
    final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<Integer, AtomicLong> answersByVersion = new ConcurrentHashMap<>();

    LoadClient(int port, int threadCount) {
        this.port = port;
        long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(() -> {
                while (running.get() && System.nanoTime() < deadline) one();
            }, "load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void one() {
        int expected = epoch.get();
        requests.incrementAndGet();
        String answer;
        try {
            answer = EinhornUnderTest.ask(port);
        } catch (Exception e) {
            failures.add(e.toString());
            return;
        }
        String[] words = answer.split(" ");
        int version;
        try {
            version = Integer.parseInt(words[0]);
        } catch (NumberFormatException e) {
            failures.add("bad answer: \"" + answer + "\"");
            return;
        }
        answersByVersion.computeIfAbsent(version, v -> new AtomicLong()).incrementAndGet();
        if (version != expected && version != expected - 1) {
            unexpected.add("version " + version + " answered while rolling out " + expected);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) t.join(30_000);
    }
}
