package dev.einhorn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Spawn-to-ACK through the real master: a master in manual-ACK mode runs one worker; each shot sends {@code inc}
 * and polls {@code state} until the new worker is ACKed. Between shots {@code dec} retires it and the setup waits
 * for it to exit and for the master's spin-up interval ({@code -s 0.05}) to pass, so {@code inc} spawns at once.
 * The poll interval bounds the resolution.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar StartupBenchmark -p variant=plain17,hello17</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m"})
@Warmup(iterations = 2)
@Measurement(iterations = 8)
public class StartupBenchmark {
    @Param({"plain17", "plain25", "cds17", "aot25", "python", "hello17", "hello25"})
    public String variant;

    /** How often state is polled during a shot (ms); each poll costs the master a state dump. */
    static final long POLL_MS = Long.getLong("bench.pollMs", 5);

    private EinhornProcess einhorn;
    private List<Long> before;

    @Setup(Level.Trial)
    public void startMaster() throws IOException {
        Variants.Variant v = Variants.byId(variant);
        if (!v.available()) throw new IllegalStateException(variant + " is not available: " + v.unavailable());
        Path dir = Files.createTempDirectory("bench-startup-" + variant + "-");
        List<String> args = new ArrayList<>(List.of("-n", "1", "-s", "0.05"));
        args.addAll(v.einhornArgs());
        einhorn = EinhornProcess.start(dir, args, Map.of());
        einhorn.awaitAcked(1, Duration.ofSeconds(180)); // a preloaded variant may build its archive first
    }

    @Setup(Level.Iteration)
    public void oneWorker() throws IOException {
        before = einhorn.awaitAcked(1, Duration.ofSeconds(60));
        for (Long pid : before) { // let the worker settle so its start-up does not overlap the shot
            if (!ProcFs.alive(pid)) throw new IllegalStateException("worker " + pid + " died");
        }
        EinhornProcess.sleep(300);
    }

    @Benchmark
    public long spawnToAck() throws IOException {
        einhorn.command("inc");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            Map<String, Object> s = einhorn.state();
            if (EinhornProcess.ackedCount(s) == 2) return EinhornProcess.children(s).size();
            if (System.nanoTime() > deadline) throw new IllegalStateException("no ACK in 120 s: " + einhorn.logTail());
            EinhornProcess.sleep(POLL_MS);
        }
    }

    @TearDown(Level.Iteration)
    public void retire() throws IOException {
        einhorn.command("dec");
    }

    @TearDown(Level.Trial)
    public void stopMaster() {
        if (einhorn != null) einhorn.close();
    }
}
