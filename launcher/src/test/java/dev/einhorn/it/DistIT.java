package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The release tarball, unpacked in an empty directory, away from the source tree and without Maven. */
@Timeout(120)
class DistIT {
    @TempDir
    Path dir;

    static Path tarball() throws Exception {
        try (Stream<Path> s = Files.list(EinhornUnderTest.REPO.resolve("launcher/target"))) {
            return s.filter(p -> p.getFileName().toString().matches("einhorn-jvm-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no launcher/target/einhorn-jvm-*.tar.gz: run mvn package"));
        }
    }

    private static String run(Path cwd, Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    private Path unpack() throws Exception {
        Path unpack = Files.createDirectories(dir.resolve("unpack"));
        run(unpack, Map.of(), "tar", "xzf", tarball().toString());
        try (Stream<Path> s = Files.list(unpack)) {
            return s.findFirst().orElseThrow();
        }
    }

    /**
     * A reload's upgrade check starts no JVM while the release on disk is the one the master runs, and does once a
     * jar of it changed (docs/FOOTPRINT.md). The master loads jffi's native stub from the release, not from a copy
     * in /tmp.
     */
    @Test
    void theUpgradeCheckRunsAJvmOnlyWhenTheReleaseOnDiskChanged() throws Exception {
        Path home = unpack();
        Map<String, String> env = Map.of("EINHORN_MASTER_ARCHIVE", "off");
        Path work = Files.createDirectories(dir.resolve("work"));
        String jvmCheck = "Running under Java"; // what the check's JVM logs
        try (EinhornUnderTest einhorn = EinhornUnderTest.launch(work, env, List.of(), home.resolve("bin/einhorn"),
                "-n", "1", "-b", "127.0.0.1:0", "-m", "manual", "python3",
                home.resolve("examples/hello_worker.py").toString())) {
            einhorn.awaitAckedWorkers(1);
            String maps = Files.readString(Path.of("/proc/" + einhorn.pid() + "/maps"));
            assertTrue(maps.contains(home.resolve("lib/lib/jni").toString()) && !maps.contains("/jffi"), maps);

            EinhornUnderTest.Result same = einhorn.einhornsh("upgrade");
            assertEquals(0, same.exitCode(), same.stdout());
            assertTrue(!einhorn.logText().contains(jvmCheck), einhorn.logText());

            Path jar = home.resolve("lib/launcher.jar");
            Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
            EinhornUnderTest.Result changed = einhorn.einhornsh("upgrade");
            assertEquals(0, changed.exitCode(), changed.stdout());
            assertTrue(einhorn.logText().contains(jvmCheck), einhorn.logText());
        }
    }

    @Test
    void unpackedReleaseAnswersVersionAndRunsAWorker() throws Exception {
        Path home = unpack();
        for (String f : List.of("bin/einhorn", "bin/einhornsh", "bin/lib/jvm.sh", "lib/launcher.jar",
                "lib/lib/picocli-4.7.6.jar", "README.md", "docs/OPERATIONS.md", "docs/state-schema.json",
                "share/man/man1/einhorn.1", "share/man/man1/einhornsh.1", "share/completion/einhorn.bash",
                "examples/hello_worker.py")) {
            assertTrue(Files.exists(home.resolve(f)), f);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/einhorn")));
        // no Maven on the PATH: the release must not try to build itself
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin:" + Path.of(System.getProperty("java.home"), "bin")
                + ":" + Path.of(System.getenv().getOrDefault("HOME", "/root"), ".pyenv/shims"));
        String version = run(home, env, "bin/einhorn", "--version");
        assertTrue(version.startsWith("einhorn-jvm "), version);
        assertTrue(Files.readString(home.resolve("share/man/man1/einhorn.1")).contains(".SH OPTIONS"));
        assertTrue(Files.readString(home.resolve("share/completion/einhorn.bash")).contains("--bind"));

        Path work = Files.createDirectories(dir.resolve("work"));
        try (EinhornUnderTest einhorn = EinhornUnderTest.launch(work, env, List.of(), home.resolve("bin/einhorn"),
                "-n", "1", "-b", "127.0.0.1:0", "-m", "manual", "python3",
                home.resolve("examples/hello_worker.py").toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            assertEquals("hello from worker " + pids.get(0), EinhornUnderTest.ask(einhorn.port(0)));
            assertTrue(Files.exists(home.resolve("lib/launcher.jar")));
            assertTrue(!Files.exists(home.resolve("launcher")), "nothing was built");
        }

        // the README's demo, from the release: three preloaded http-hello workers
        Path hello = home.resolve("examples/http-hello.jar");
        Path demo = Files.createDirectories(dir.resolve("demo"));
        try (EinhornUnderTest einhorn = EinhornUnderTest.launch(demo, env, List.of(), home.resolve("bin/einhorn"),
                "-n", "3", "-b", "127.0.0.1:0", "-m", "manual", "--preload-cache", demo.resolve("cache").toString(),
                "-p", hello.toString(), hello.toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(3);
            PreloadIT.assertMapped(einhorn, pids, null);
            String body = PreloadIT.httpGet(einhorn.port(0));
            assertTrue(pids.stream().anyMatch(p -> body.startsWith("hello from " + p)), body);
        }
    }
}
