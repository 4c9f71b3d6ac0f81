package dev.einhorn.bench.run;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Machine;
import dev.einhorn.bench.Stats;
import dev.einhorn.bench.Variants;
import dev.einhorn.bench.process.EinhornProcess;
import dev.einhorn.bench.skeleton.IdleFloor;
import dev.einhorn.bench.skeleton.JffiSkeleton;
import dev.einhorn.bench.skeleton.JnrFfiSkeleton;
import dev.einhorn.bench.skeleton.JnrPosixSkeleton;
import dev.einhorn.bench.skeleton.NioSkeleton;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a master costs at least, whatever its own code: skeleton programs that do only what every master does
 * (the JDK I/O of {@code SkeletonIo}; then the libc calls of a spawn, through jffi directly, a narrow jnr-ffi binding,
 * or jnr-posix's API), each with the master's JVM flags and a class-data archive of its own, measured beside a JVM
 * floor (a hello world with the same flags) started at the same moment; the real master with 4 python workers in the
 * same rounds. The programs take turns, in another order each round. Writes floors.json.
 */
public final class FloorsRun {
    /** A measured program: its name, what it does, its main class (null: the real master), and its jars. */
    record Program(String id, String what, String mainClass, List<String> jarPrefixes, boolean jnrReflection) {
    }

    static final List<Program> PROGRAMS = List.of(
            new Program("nio", "JDK I/O only: a Selector, a TCP listener on loopback, a UNIX-domain listener; no native"
                    + " call, no child", NioSkeleton.class.getName(), List.of(), false),
            new Program("jffi", "the JDK I/O + getpid, kill, fcntl, 4 posix_spawnp (attributes, file actions) and waitpid"
                    + " through jffi directly", JffiSkeleton.class.getName(), List.of("jffi-"), false),
            new Program("jnr-ffi", "the same calls through a narrow jnr-ffi interface binding (reflection, no ASM)",
                    JnrFfiSkeleton.class.getName(), List.of(""), true),
            new Program("jnr-posix", "the same calls through jnr-posix's POSIX (POSIXFactory.getNativePOSIX)",
                    JnrPosixSkeleton.class.getName(), List.of(""), true),
            new Program("master", "bin/einhorn -n 4 -m manual -b 127.0.0.1:0 python3 benchmarks/workers/ack_server.py",
                    null, List.of(), false));

    private FloorsRun() {
    }

    public static Map<String, Object> run(Path out, int rounds, int settleMs) throws Exception {
        long t0 = System.nanoTime();
        Path dir = out.resolve("floors");
        Files.createDirectories(dir);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("machine", Machine.describe());
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("rounds", rounds);
        args.put("settle_ms", settleMs);
        result.put("args", args);
        result.put("loadAverageAtStart", Machine.loadAverage());
        List<String> javaAndFlags = MasterVsFloor.masterJvmFlags();
        result.put("flags", String.join(" ", javaAndFlags.subList(1, javaAndFlags.size()))
                .replace(Variants.repo().toAbsolutePath() + "/", ""));
        result.put("masterArchiveReady", MasterVsFloor.awaitMasterArchive(out));
        Map<String, Map<String, Object>> byProgram = new LinkedHashMap<>();
        for (Program p : PROGRAMS) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("what", p.what());
            if (p.mainClass() != null) {
                m.put("archive", train(dir, javaAndFlags, p));
                m.put("classes", classesLoaded(dir, javaAndFlags, p));
            }
            m.put("rounds", new ArrayList<Map<String, Object>>());
            byProgram.put(p.id(), m);
        }
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < PROGRAMS.size(); k++) {
                Program p = PROGRAMS.get((k + r) % PROGRAMS.size());
                Map<String, Object> one = measure(dir, javaAndFlags, p, settleMs);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> list = (List<Map<String, Object>>) byProgram.get(p.id()).get("rounds");
                list.add(one);
                System.err.printf("[floors] round %d %s: PSS %.1f MB (floor beside it %.1f)%n", r + 1, p.id(),
                        ((Map<?, ?>) one.get("program")).get("pssMb"), ((Map<?, ?>) one.get("floor")).get("pssMb"));
            }
        }
        result.put("programs", byProgram);
        result.put("loadAverageAtEnd", Machine.loadAverage());
        result.put("seconds", Math.round((System.nanoTime() - t0) / 1e9));
        BenchJson.write(out.resolve("floors.json"), result);
        return result;
    }

    /** Median of a figure ({@code pssMb}, ...) of the program minus the floor beside it, over the rounds. */
    public static double medianOverFloor(List<Map<String, Object>> rounds, String figure) {
        double[] d = new double[rounds.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = ((Number) ((Map<?, ?>) rounds.get(i).get("program")).get(figure)).doubleValue()
                    - ((Number) ((Map<?, ?>) rounds.get(i).get("floor")).get(figure)).doubleValue();
        }
        return Stats.median(d);
    }

    /** One round of one program: the floor and the program started together, measured once both have settled. */
    private static Map<String, Object> measure(Path dir, List<String> javaAndFlags, Program p, int settleMs) throws Exception {
        Process floor = start(command(javaAndFlags, List.of(skeletonJar().toString()), IdleFloor.class.getName(),
                List.of(), false), "up");
        try {
            Map<String, Object> one = new LinkedHashMap<>();
            if (p.mainClass() == null) {
                Path py = EinhornProcess.repo().resolve("benchmarks/workers/ack_server.py");
                try (EinhornProcess e = EinhornProcess.start(dir.resolve("master"), List.of("-n", "4", "-m", "manual",
                        "-b", "127.0.0.1:0", "--", Variants.python(), py.toString()), Map.of())) {
                    e.awaitAcked(4, Duration.ofSeconds(60));
                    e.closeClient();
                    EinhornProcess.sleep(settleMs);
                    one.put("program", MasterVsFloor.memory(e.pid()));
                    one.put("floor", MasterVsFloor.memory(floor.pid()));
                    one.put("masterArchiveMapped", MasterVsFloor.archiveMapped(e.pid()));
                }
            } else {
                List<String> cmd = command(javaAndFlags, classPath(p), p.mainClass(),
                        List.of("-XX:SharedArchiveFile=" + archive(dir, p)), p.jnrReflection());
                cmd.addAll(List.of(dir.toString(), "run"));
                Process program = start(cmd, "up");
                try {
                    EinhornProcess.sleep(settleMs);
                    one.put("program", MasterVsFloor.memory(program.pid()));
                    one.put("floor", MasterVsFloor.memory(floor.pid()));
                    one.put("archiveMapped", archiveMapped(program.pid(), archive(dir, p)));
                } finally {
                    stop(program);
                    Files.deleteIfExists(dir.resolve("skeleton-" + program.pid() + ".sock")); // a SIGKILL leaves it
                }
            }
            return one;
        } finally {
            stop(floor);
        }
    }

    /** Writes the program's class-data archive (its own classes, as the master has its own); true when it exists. */
    private static boolean train(Path dir, List<String> javaAndFlags, Program p) throws Exception {
        Path archive = archive(dir, p);
        Files.deleteIfExists(archive);
        List<String> cmd = command(javaAndFlags, classPath(p), p.mainClass(),
                List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"), p.jnrReflection());
        cmd.addAll(List.of(dir.toString(), "train"));
        Process t = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(p.id() + "-train.log").toFile())
                .start();
        if (!t.waitFor(120, TimeUnit.SECONDS)) stop(t);
        return Files.isRegularFile(archive);
    }

    /** How many classes the program loads with its archive (-Xlog:class+load), and how many of them not from one. */
    private static Map<String, Object> classesLoaded(Path dir, List<String> javaAndFlags, Program p) throws Exception {
        Path log = dir.resolve(p.id() + "-classes.txt");
        Files.deleteIfExists(log);
        List<String> cmd = command(javaAndFlags, classPath(p), p.mainClass(),
                List.of("-XX:SharedArchiveFile=" + archive(dir, p), "-Xlog:class+load:file=" + log), p.jnrReflection());
        cmd.addAll(List.of(dir.toString(), "train"));
        Process t = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!t.waitFor(120, TimeUnit.SECONDS)) stop(t);
        Map<String, Object> m = new LinkedHashMap<>();
        try (Stream<String> lines = Files.lines(log)) {
            List<String> loaded = lines.filter(l -> l.contains("[class,load]")).toList();
            m.put("loaded", loaded.size());
            m.put("notFromAnArchive", loaded.stream().filter(l -> !l.contains("shared objects file")).count());
        }
        return m;
    }

    private static Path archive(Path dir, Program p) {
        return dir.resolve(p.id() + ".jsa");
    }

    private static List<String> command(List<String> javaAndFlags, List<String> classPath, String main, List<String> extra,
            boolean jnrReflection) {
        List<String> cmd = new ArrayList<>(javaAndFlags);
        // jnr-ffi's lightest mode, as the master used it while it ran on jnr-ffi (bin/lib/jvm.sh no longer sets it)
        if (jnrReflection && !cmd.contains("-Djnr.ffi.asm.enabled=false")) cmd.add("-Djnr.ffi.asm.enabled=false");
        cmd.addAll(extra);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), main));
        return cmd;
    }

    /** The skeletons' own small jar, then the jars whose names start with one of the program's prefixes. */
    private static List<String> classPath(Program p) throws IOException {
        List<String> cp = new ArrayList<>(List.of(skeletonJar().toString()));
        if (p.jarPrefixes().isEmpty()) return cp;
        Path lib = EinhornProcess.repo().resolve("benchmarks/target/skeleton-lib");
        try (Stream<Path> jars = Files.list(lib)) {
            jars.filter(j -> j.toString().endsWith(".jar"))
                    .filter(j -> p.jarPrefixes().stream().anyMatch(pre -> j.getFileName().toString().startsWith(pre)))
                    .sorted().forEach(j -> cp.add(j.toString()));
        }
        return cp;
    }

    private static Path skeletonJar() throws IOException {
        Path jar = EinhornProcess.repo().resolve("benchmarks/target/benchmarks-skeletons.jar");
        if (!Files.isRegularFile(jar)) throw new IOException(jar + " is missing: build the benchmarks (mvn package)");
        return jar;
    }

    private static boolean archiveMapped(long pid, Path archive) throws IOException {
        return dev.einhorn.bench.process.ProcFs.mappedFiles(pid).stream().anyMatch(f -> f.equals(archive.toString()));
    }

    /** Starts a process and waits (30 s at most) for its first line to be {@code expected}. */
    private static Process start(List<String> cmd, String expected) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = r.readLine();
            if (!expected.equals(first)) throw new IOException(String.join(" ", cmd) + " did not start: " + first);
            return p;
        } catch (IOException | RuntimeException e) {
            stop(p);
            throw e;
        }
    }

    /** Kills the process and its children (a skeleton's sleeps). */
    private static void stop(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}
