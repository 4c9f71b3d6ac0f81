package dev.einhorn.preload;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, off the master's loop, that each preloaded worker mapped its archive: polls /proc/PID/maps until the
 * archive shows up (logged at debug), or until the JVM has been up for {@link #GRACE_MS} without it (a warning:
 * the worker fell back to a cold start), or the process is gone.
 */
public final class ArchiveWatch {
    private static final Logger log = LoggerFactory.getLogger(ArchiveWatch.class);
    static final long POLL_MS = 50;
    /** The JVM maps archives while it initializes, within tens of ms of libjvm; this is a generous bound. */
    static final long GRACE_MS = 3000;
    static final long GIVE_UP_MS = 60_000;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "einhorn-archive-watch");
        t.setDaemon(true);
        return t;
    });

    public void watch(int pid, Path archive) {
        long start = System.nanoTime();
        long[] jvmSince = {-1};
        Runnable[] check = new Runnable[1];
        check[0] = () -> {
            ArchiveUse use = ArchiveUse.inspect(pid, archive);
            long now = System.nanoTime();
            if (use.mapped()) {
                log.debug("Worker {} mapped the preload archive {}", pid, archive);
                return;
            }
            if (!use.readable()) return; // exited
            if (jvmSince[0] < 0 && ArchiveUse.jvmStarted(pid)) jvmSince[0] = now;
            if (jvmSince[0] >= 0 && now - jvmSince[0] > TimeUnit.MILLISECONDS.toNanos(GRACE_MS)) {
                log.warn("Worker {} did not map the preload archive {}: it started cold (run it with -Xlog:cds or "
                        + "-Xlog:aot to see why)", pid, archive);
                return;
            }
            if (now - start > TimeUnit.MILLISECONDS.toNanos(GIVE_UP_MS)) return;
            timer.schedule(check[0], POLL_MS, TimeUnit.MILLISECONDS);
        };
        timer.schedule(check[0], POLL_MS, TimeUnit.MILLISECONDS);
    }
}
