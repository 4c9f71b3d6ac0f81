package dev.einhorn.bench.run;

import dev.einhorn.bench.Variants;
import dev.einhorn.bench.process.EinhornProcess;
import dev.einhorn.bench.process.ProcFs;
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
 * Spawn-to-ACK through the real master, as a JMH single shot ({@code benchmarks/run jmh}, section 1b of RESULTS.md:
 * a cross-check; the primary figures come from the interleaved {@link StartupRun}, which is robust to a machine
 * whose speed drifts): a master in manual-ACK mode
 * runs one worker; each shot sends {@code inc} and reads the master's log until the new worker's ACK line
 * appears. Between shots {@code dec} retires it and the setup waits for it to exit and for the master's spin-up
 * interval ({@code -s 0.05}) to pass, so {@code inc} spawns at once. JMH runs the variants one after another.
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
    @Param({"plain17", "plain25", "boot17", "boot25", "cds17", "aot25", "python", "hello17", "hello25"})
    public String variant;

    private EinhornProcess einhorn;
    private List<Long> before;
    private long logOffset;

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
        logOffset = StartupRun.logLength(einhorn);
    }

    @Benchmark
    public long spawnToAck() throws IOException {
        einhorn.command("inc");
        // Wait on the master's log, not on state: with -p every state reads /proc of each preloaded worker, and
        // polling it during the shot slowed the very workers measured (StartupRun).
        return StartupRun.awaitAckInLog(einhorn, logOffset, before);
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
