package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM flags bin/lib/jvm.sh gives the master that depend on the JDK's version: the native-heap trimmer (which gives
 * the compiler's freed memory back after a burst of commands, docs/FOOTPRINT.md) only where the JVM knows the flag,
 * since an older one would not start at all.
 */
class MasterJvmFlagsIT {
    @TempDir
    Path dir;

    /** bin/lib/jvm.sh's flags for a JDK whose release file says {@code version}; its java is the real one's wrapper. */
    private String flagsFor(String version) throws Exception {
        return flags(javaOf(version));
    }

    private Path javaOf(String version) throws Exception {
        Path home = Files.createDirectories(dir.resolve("jdk-" + version + "/bin"));
        Path java = home.resolve("java");
        Files.writeString(java, "#!/bin/sh\nexec '" + realJava() + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(home.resolveSibling("release"), "JAVA_VERSION=\"" + version + "\"\n");
        return java;
    }

    /** bin/lib/jvm.sh's flags for the master's java: {@code java}, or the one it finds itself when null. */
    private static String flags(Path java) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source \"$1\"; echo \"$EINHORN_BASE_JVM_OPTS\"", "bash",
                EinhornUnderTest.REPO.resolve("bin/lib/jvm.sh").toString()).redirectErrorStream(true);
        if (java != null) pb.environment().put("EINHORN_MASTER_JAVA", java.toString());
        Process q = pb.start();
        String out = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(q.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    private static String realJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void theTrimmerFlagOnlyForAJvmThatKnowsIt() throws Exception {
        assertFalse(flagsFor("17.0.8").contains("TrimNativeHeapInterval"), "17.0.8 has no such flag");
        assertFalse(flagsFor("17").contains("TrimNativeHeapInterval"), "nor 17 GA");
        assertFalse(flagsFor("21.0.5").contains("TrimNativeHeapInterval"), "21: not known to have it");
        assertTrue(flagsFor("17.0.15").contains("-XX:TrimNativeHeapInterval=5000"));
        assertTrue(flagsFor("25.0.3").contains("-XX:TrimNativeHeapInterval=5000"));
    }

    @Test
    void theMasterRunsTheTrimmerThreadWhenItsJvmHasTheFlag() throws Exception {
        boolean expected = flags(null).contains("-XX:TrimNativeHeapInterval=5000");
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, "-m", "manual", "-b", "127.0.0.1:0", "python3",
                EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
            e.awaitAckedWorkers(1);
            List<String> threads;
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + e.pid() + "/task"))) {
                threads = tasks.map(t -> {
                    try {
                        return Files.readString(t.resolve("comm")).trim();
                    } catch (java.io.IOException gone) {
                        return "";
                    }
                }).toList();
            }
            assertEquals(expected, threads.contains("Native Heap Tri"), threads.toString()); // comm is 15 bytes
        }
    }
}
