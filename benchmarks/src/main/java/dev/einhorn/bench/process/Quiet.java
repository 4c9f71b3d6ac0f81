package dev.einhorn.bench.process;

import java.io.IOException;
import java.util.List;

/**
 * Waits until the processes this run started have stopped using the CPU: a JVM that has just ACKed keeps compiling
 * for seconds, a replacement standby boots after an activation, a retired worker runs its shutdown. On a 2-core
 * machine any of them overlapping the next shot would be timed as part of it. The benchmark's own JVM (this
 * process) is left out: it only polls.
 */
public final class Quiet {
    /** The descendants together below this share of one core over a window count as quiet. */
    public static final double IDLE_CORE_SHARE = 0.05;
    public static final long WINDOW_MS = 250;

    private Quiet() {
    }

    /** Returns the ms waited (at most maxMs; the shot goes ahead then, noisier). */
    public static long await(long maxMs) {
        long start = System.nanoTime();
        long deadline = start + maxMs * 1_000_000L;
        double ticksPerWindow = ProcFs.clockTicksPerSecond() * WINDOW_MS / 1000.0;
        long before = ticks();
        while (System.nanoTime() < deadline) {
            EinhornProcess.sleep(WINDOW_MS);
            long now = ticks();
            if (now - before <= ticksPerWindow * IDLE_CORE_SHARE) break;
            before = now;
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** CPU ticks of every living descendant (processes that exited in between are simply not counted). */
    private static long ticks() {
        List<ProcessHandle> all = ProcessHandle.current().descendants().toList();
        long sum = 0;
        for (ProcessHandle p : all) {
            try {
                sum += ProcFs.cpuTicks(p.pid());
            } catch (IOException | RuntimeException e) {
                // gone
            }
        }
        return sum;
    }
}
