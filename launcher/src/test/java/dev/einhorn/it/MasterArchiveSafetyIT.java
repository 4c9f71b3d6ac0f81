package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing about the master's class-data archive may stop the master from starting or run anything unintended
 * (bin/lib/jvm.sh, docs/FOOTPRINT.md): a path with a space or a quote costs the archive at most, and a training
 * whose orchestrator is killed or that overruns its bound leaves no process, temp dir or lock behind. Each test
 * has its own archive dir (EINHORN_MASTER_ARCHIVE_DIR), so it trains afresh and leaves the repo's archive alone.
 */
class MasterArchiveSafetyIT {
    private static final long TRAINING_WAIT_SECONDS = 180;

    @TempDir
    Path dir;

    /** The training's processes (master, workers) carry this variable; its value starts with the temp base. */
    private List<Long> trainingProcesses(Path tmpBase) {
        String marker = "EINHORN_ARCHIVE_TRAINING=" + tmpBase + "/";
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> {
            try {
                return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8)
                        .contains(marker);
            } catch (IOException | RuntimeException e) {
                return false; // gone, or not ours
            }
        }).toList();
    }

    /** The training's orchestrator: bash running einhorn_train_archive for an archive under archiveDir. */
    private static List<Long> orchestrators(Path archiveDir) {
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> {
            try {
                String cmd = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
                return cmd.contains("einhorn_train_archive") && cmd.contains(archiveDir + "/");
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).toList();
    }

    private static void await(String what, long seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + seconds + " s: " + what);
            EinhornUnderTest.sleep(100);
        }
    }

    private static List<Path> list(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The pid the training recorded in its lock (ARCHIVE.training/pid). */
    private static long lockOwner(Path archiveDir) throws IOException {
        List<Path> locks = list(archiveDir).stream().filter(p -> p.toString().endsWith(".jsa.training")).toList();
        assertEquals(1, locks.size(), "one training lock: " + locks);
        return Long.parseLong(Files.readString(locks.get(0).resolve("pid")).trim());
    }

    private static boolean hasArchive(Path archiveDir) {
        return list(archiveDir).stream().anyMatch(p -> p.getFileName().toString().endsWith(".jsa"));
    }

    private EinhornUnderTest startServing(Map<String, String> env) throws IOException {
        EinhornUnderTest e = EinhornUnderTest.start(dir, env, "-n", "1", "-m", "manual", "-b", "127.0.0.1:0",
                "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString());
        List<Long> workers = e.awaitAckedWorkers(1);
        assertEquals(workers.get(0).toString(), EinhornUnderTest.ask(e.port(0)).trim());
        return e;
    }

    /** bin/einhorn's environment for a training of its own: archive dir, temp dir, bound in seconds. */
    private static Map<String, String> trainingEnv(Path archiveDir, Path tmp, int boundSeconds) {
        return Map.of("EINHORN_MASTER_ARCHIVE_DIR", archiveDir.toString(), "TMPDIR", tmp.toString(),
                "EINHORN_ARCHIVE_TRAINING_BOUND", Integer.toString(boundSeconds));
    }

    private Path mkdir(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    /** A test that fails half-way leaves no training running either (the watchdog's bound aside). */
    @AfterEach
    void killLeftoverTraining() {
        for (long pid : trainingProcesses(dir)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        for (long pid : orchestrators(dir)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** The archive's path for this build and java in archiveDir, as bin/einhorn computes it. */
    private static Path archivePath(Path archiveDir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source \"$1/bin/lib/jvm.sh\" && einhorn_archive_path", "_",
                EinhornUnderTest.REPO.toString()).redirectErrorStream(true);
        pb.environment().put("EINHORN_MASTER_ARCHIVE_DIR", archiveDir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return Path.of(out);
    }

    private static void mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "mkfifo " + path);
    }

    /** The archive is there and its training is over (the lock is released once the archive is installed). */
    private static boolean installed(Path archive) {
        return Files.isRegularFile(archive) && !Files.exists(archive.resolveSibling(archive.getFileName() + ".training"));
    }

    private static boolean maps(long pid, Path file) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/maps")).contains(file.toString());
    }

    /**
     * The JVM maps the archive's regions as its header says: an archive cut short (a full disk, a copy cut off)
     * killed the master with SIGBUS at every start until someone deleted it. It is now not used, and trained again.
     */
    @Test
    void aTruncatedArchiveIsNotMappedAndIsTrainedAgain() throws Exception {
        Path archiveDir = mkdir("archive");
        Path archive = archivePath(archiveDir);
        Map<String, String> env = trainingEnv(archiveDir, mkdir("tmp"), 150);
        try (EinhornUnderTest e = startServing(env)) {
            await("the archive " + archive, TRAINING_WAIT_SECONDS, () -> installed(archive));
        }
        long size = Files.size(archive);
        archive.toFile().setWritable(true); // the JVM writes it read-only
        try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.WRITE)) {
            ch.truncate(4096);
        }
        try (EinhornUnderTest e = startServing(env)) {
            assertFalse(maps(e.pid(), archive), "the truncated archive was mapped");
            await("a trained archive again", TRAINING_WAIT_SECONDS, () -> {
                try {
                    return installed(archive) && Files.size(archive) > 4096;
                } catch (IOException x) {
                    return false;
                }
            });
        }
        assertTrue(Files.size(archive) > size / 2, "the archive " + archive + " was trained again");
        try (EinhornUnderTest e = startServing(env)) {
            assertTrue(maps(e.pid(), archive), "the trained archive is used again");
        }
    }

    /**
     * A FIFO where bin/einhorn or the JVM reads (the archive, the training lock's pid) blocked its open(2) for good:
     * the master never started. A FIFO is not a file they read now.
     */
    @Test
    void aFifoAtTheArchiveOrInTheTrainingLockDoesNotHangTheStart() throws Exception {
        Path archiveDir = mkdir("archive");
        Path archive = archivePath(archiveDir);
        Map<String, String> env = trainingEnv(archiveDir, mkdir("tmp"), 150);
        Path lock = archive.resolveSibling(archive.getFileName() + ".training");
        Files.createDirectory(lock);
        mkfifo(lock.resolve("pid")); // a training lock whose owner cannot be read: not trained now
        mkfifo(archive);
        try (EinhornUnderTest e = startServing(env)) {
            assertFalse(maps(e.pid(), archive));
        }
        Files.delete(archive);
        mkfifo(archive.resolveSibling(archive.getFileName() + ".stat"));
        try (EinhornUnderTest e = startServing(env)) {
            assertFalse(maps(e.pid(), archive));
        }
    }

    @Test
    void aMasterWhoseArchivePathHasASpaceStartsServesAndReloads() throws Exception {
        Path archiveDir = mkdir("cache dir");
        try (EinhornUnderTest e = startServing(Map.of("EINHORN_MASTER_ARCHIVE_DIR", archiveDir.toString()))) {
            List<Long> workers = e.workerPids();
            e.reload();
            assertEquals(workers, e.workerPids());
            assertFalse(e.logText().contains("Could not find or load main class"), e.logText());
        }
        assertEquals(List.of(), list(archiveDir), "no archive and no training for a path bin/einhorn would split");
    }

    @Test
    void aTmpdirWithAQuoteAndASpaceRunsNothingInTheTraining() throws Exception {
        Path archiveDir = mkdir("archive");
        Path pwned = dir.resolve("PWNED");
        Path hostile = mkdir("q';touch${IFS}" + pwned + ";' x");
        Map<String, String> env = trainingEnv(archiveDir, hostile, 150);
        try (EinhornUnderTest e = startServing(env)) {
            await("the training's archive in " + archiveDir, TRAINING_WAIT_SECONDS, () -> hasArchive(archiveDir)
                    || list(archiveDir).stream().anyMatch(p -> p.toString().endsWith(".failed")));
            assertTrue(hasArchive(archiveDir), "the training works with a safe temp dir: " + list(archiveDir));
            assertEquals(List.of(), list(hostile), "the training keeps out of an unsafe TMPDIR");
            assertEquals(e.workerPids().get(0).toString(), workersAnswer(e));
        }
        assertFalse(Files.exists(pwned), "the training ran TMPDIR's contents as a command");
        try (Stream<Path> all = Files.walk(dir)) {
            assertEquals(List.of(), all.filter(p -> p.toString().contains("PWNED") && !p.startsWith(hostile)).toList());
        }
    }

    private static String workersAnswer(EinhornUnderTest e) throws IOException {
        return EinhornUnderTest.ask(e.port(0)).trim();
    }

    @Test
    void aKilledTrainingOrchestratorLeavesNoTrainingBehindAndTheNextStartTrainsAgain() throws Exception {
        Path archiveDir = mkdir("archive");
        Path tmp = mkdir("tmp");
        Map<String, String> env = trainingEnv(archiveDir, tmp, 150);
        try (EinhornUnderTest e = startServing(env)) {
            await("a training master", 60, () -> !trainingProcesses(tmp).isEmpty() || hasArchive(archiveDir));
            assertFalse(hasArchive(archiveDir), "the training was still running");
            // The lock names its owner; the orchestrator's subshells (a $(...), a background job before its
            // exec) briefly carry the same command line, so the process list alone may show two.
            long orchestrator = lockOwner(archiveDir);
            assertTrue(orchestrators(archiveDir).contains(orchestrator), orchestrator + " is no orchestrator");
            ProcessHandle.of(orchestrator).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            await("no training process, temp dir or lock", 30, () -> trainingProcesses(tmp).isEmpty()
                    && list(tmp).stream().noneMatch(p -> p.getFileName().toString().startsWith("einhorn-archive."))
                    && list(archiveDir).stream().noneMatch(p -> p.toString().endsWith(".training")));
            assertEquals(e.workerPids().get(0).toString(), workersAnswer(e));
        }
        try (EinhornUnderTest e = startServing(env)) { // the lock was released: the next start trains again
            await("a new archive", TRAINING_WAIT_SECONDS, () -> hasArchive(archiveDir));
        }
    }

    @Test
    void aTrainingPastItsBoundIsStoppedAndCountsAsFailed() throws Exception {
        Path archiveDir = mkdir("archive");
        Path tmp = mkdir("tmp");
        Map<String, String> env = trainingEnv(archiveDir, tmp, 1);
        try (EinhornUnderTest e = startServing(env)) {
            await("the training stopped and marked failed", 60, () -> trainingProcesses(tmp).isEmpty()
                    && orchestrators(archiveDir).isEmpty()
                    && list(tmp).stream().noneMatch(p -> p.getFileName().toString().startsWith("einhorn-archive."))
                    && list(archiveDir).stream().anyMatch(p -> p.toString().endsWith(".jsa.failed"))
                    && list(archiveDir).stream().noneMatch(p -> p.toString().endsWith(".training")));
            assertFalse(hasArchive(archiveDir));
            assertEquals(e.workerPids().get(0).toString(), workersAnswer(e));
        }
    }
}
