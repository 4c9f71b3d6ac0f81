package dev.einhorn.samples;

import dev.einhorn.runtime.Einhorn;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Einhorn's {@code example/pool_worker.rb}, in Java: a worker with no socket that acks and then does
 * "work" (prints its child index) every second until the graceful signal, then exits 0.
 *
 * <pre>
 * einhorn -m manual -n 3 -- java -cp sample-app/target/sample-app.jar dev.einhorn.samples.PoolWorker
 * </pre>
 *
 * An optional argument sets the period in milliseconds (default 1000). It also runs on its own.
 */
public final class PoolWorker {
    private PoolWorker() {
    }

    public static void main(String[] args) throws Exception {
        einhornMain(args);
    }

    public static void einhornMain(String[] args) throws Exception {
        long pid = ProcessHandle.current().pid();
        long periodMs = args.length > 0 ? Long.parseLong(args[0]) : 1000;
        CountDownLatch stop = new CountDownLatch(1);
        Einhorn.onGracefulShutdown(stop::countDown);
        if (!Einhorn.ackIfWorker()) {
            System.out.println("[" + pid + "] Not running under einhorn; working on my own");
        }
        String index = Einhorn.childIndex().isPresent() ? Integer.toString(Einhorn.childIndex().getAsInt()) : "none";
        System.out.println("[" + pid + "] Worker starting up, child index " + index);
        while (!stop.await(periodMs, TimeUnit.MILLISECONDS)) {
            System.out.println("[" + pid + "] I'm in the pool! My index is " + index);
        }
        System.out.println("[" + pid + "] " + pid + " is now exiting...");
    }
}
