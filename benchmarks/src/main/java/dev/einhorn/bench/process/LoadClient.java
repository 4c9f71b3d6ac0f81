package dev.einhorn.bench.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A closed-loop load generator on loopback: T threads, each opening a new connection per request to
 * 127.0.0.1:port (so every request meets the accept queue that workers share and that upgrades touch), sending
 * {@code GET /} (HTTP) or nothing (line servers), reading to EOF. Bounded by a deadline and a per-thread count.
 * Records each request's start (µs since {@link #t0}), latency (µs) and outcome.
 */
public final class LoadClient {
    public static final byte OK = 0, REFUSED = 1, IO_ERROR = 2, TIMEOUT = 3, BAD_REPLY = 4;
    public static final String[] OUTCOMES = {"ok", "connection refused", "reset/io error", "timeout", "bad reply"};
    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    final long t0 = System.nanoTime();
    private final int port;
    private final boolean http;
    private final long deadline;
    private final int maxPerThread;
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean stop;

    public LoadClient(int port, boolean http, int threads, int maxPerThread, long maxSeconds) {
        this.port = port;
        this.http = http;
        this.maxPerThread = maxPerThread;
        this.deadline = t0 + maxSeconds * 1_000_000_000L;
        for (int i = 0; i < threads; i++) workers.add(new Worker(i));
    }

    public void start() {
        for (Worker w : workers) w.thread.start();
    }

    public void stop() throws InterruptedException {
        stop = true;
        for (Worker w : workers) w.thread.join(30_000);
    }

    public long micros() {
        return (System.nanoTime() - t0) / 1000;
    }

    /** All samples, merged: start µs, latency µs, outcome. */
    public record Samples(long[] startUs, int[] latencyUs, byte[] outcome) {
        public int size() {
            return startUs.length;
        }
    }

    public Samples samples() {
        int n = workers.stream().mapToInt(w -> w.count).sum();
        long[] s = new long[n];
        int[] l = new int[n];
        byte[] o = new byte[n];
        int k = 0;
        for (Worker w : workers) {
            System.arraycopy(w.start, 0, s, k, w.count);
            System.arraycopy(w.latency, 0, l, k, w.count);
            System.arraycopy(w.outcome, 0, o, k, w.count);
            k += w.count;
        }
        return new Samples(s, l, o);
    }

    private final class Worker implements Runnable {
        final Thread thread;
        final long[] start = new long[maxPerThread];
        final int[] latency = new int[maxPerThread];
        final byte[] outcome = new byte[maxPerThread];
        volatile int count;
        final byte[] buf = new byte[16 * 1024];

        Worker(int i) {
            thread = new Thread(this, "load-" + i);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            int n = 0;
            while (!stop && n < maxPerThread && System.nanoTime() < deadline) {
                long t = System.nanoTime();
                byte result = once();
                long end = System.nanoTime();
                start[n] = (t - t0) / 1000;
                latency[n] = (int) Math.min(Integer.MAX_VALUE, (end - t) / 1000);
                outcome[n] = result;
                count = ++n;
                if (result == REFUSED) sleepQuietly(); // do not spin on a closed port
            }
        }

        private byte once() {
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(10_000);
                if (http) {
                    OutputStream out = s.getOutputStream();
                    out.write(GET);
                    out.flush();
                }
                InputStream in = s.getInputStream();
                int total = 0;
                int first = -1;
                int r;
                byte[] head = new byte[12];
                while ((r = in.read(buf)) > 0) {
                    if (total < head.length) System.arraycopy(buf, 0, head, total, Math.min(r, head.length - total));
                    if (first < 0) first = buf[0];
                    total += r;
                }
                if (total == 0) return BAD_REPLY;
                if (http) {
                    String h = new String(head, 0, Math.min(total, head.length), StandardCharsets.US_ASCII);
                    return h.startsWith("HTTP/1.1 200") || h.startsWith("HTTP/1.0 200") ? OK : BAD_REPLY;
                }
                return OK;
            } catch (ConnectException e) {
                return REFUSED;
            } catch (SocketTimeoutException e) {
                return TIMEOUT;
            } catch (IOException e) {
                return IO_ERROR;
            }
        }

        private void sleepQuietly() {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
