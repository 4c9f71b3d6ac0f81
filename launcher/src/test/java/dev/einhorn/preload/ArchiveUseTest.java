package dev.einhorn.preload;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Whether a process maps a file, read from {@code /proc/PID/maps}, checked against this test's own JVM (which maps
 * its libjvm.so) instead of a started worker.
 */
class ArchiveUseTest {
    private static final long SELF = ProcessHandle.current().pid();

    private static Path mappedLibjvm() throws Exception {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            String line = lines.filter(l -> l.endsWith("/libjvm.so")).findFirst().orElseThrow();
            return Path.of(line.substring(line.indexOf('/')));
        }
    }

    @Test
    void aMappedFileIsSeenAsMapped() throws Exception {
        ArchiveUse use = ArchiveUse.inspect(SELF, mappedLibjvm());
        assertTrue(use.readable());
        assertTrue(use.mapped());
    }

    @Test
    void aFileTheProcessDoesNotMapIsNot() {
        ArchiveUse use = ArchiveUse.inspect(SELF, Path.of("/nonexistent/app-1-k.aot"));
        assertTrue(use.readable());
        assertFalse(use.mapped());
    }

    @Test
    void aGoneProcessIsUnreadableNotUnmapped() {
        ArchiveUse use = ArchiveUse.inspect(Integer.MAX_VALUE, Path.of("/x.aot"));
        assertFalse(use.readable());
        assertFalse(use.mapped());
        assertFalse(ArchiveUse.jvmStarted(Integer.MAX_VALUE));
        assertTrue(ArchiveUse.Memory.of(Integer.MAX_VALUE).isEmpty());
    }

    @Test
    void aRunningJvmIsStartedAndHasAMemoryReading() {
        assertTrue(ArchiveUse.jvmStarted(SELF));
        ArchiveUse.Memory m = ArchiveUse.Memory.of(SELF).orElseThrow();
        assertTrue(m.pssKb() > 0 && m.rssKb() >= m.pssKb(), m.toString());
    }
}
