package dev.einhorn.preload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.runtime.Bootstrap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launch a new master image recovers from its predecessor's worker argv (all the hand-over keeps of it). */
class WorkerLaunchTest {
    @TempDir
    Path dir;

    @Test
    void anArgvNamingAnExistingAotCacheIsPreloadedAndGetsTheSignalTheRuntimeExpects() throws Exception {
        Path aot = Files.writeString(dir.resolve("app-1-k.aot"), "x");
        List<String> argv = List.of("/jdk/bin/java", "-XX:AOTCache=" + aot, "-cp", "rt.jar:app.jar",
                Bootstrap.class.getName(), "com.example.Main");
        WorkerLaunch l = WorkerLaunch.fromArgv(argv, Map.of());
        assertTrue(l.preloaded());
        assertEquals(Optional.of(aot), l.archive());
        assertEquals(argv, l.argv());
        assertEquals(Map.of("_JAVA_SR_SIGNUM", "40"), l.extraEnv());
    }

    @Test
    void anAppCdsArchiveIsRecognisedToo() throws Exception {
        Path jsa = Files.writeString(dir.resolve("app-1-k.jsa"), "x");
        WorkerLaunch l = WorkerLaunch.fromArgv(List.of("java", "-XX:SharedArchiveFile=" + jsa,
                Bootstrap.class.getName()), Map.of());
        assertEquals(Optional.of(jsa), l.archive());
    }

    @Test
    void withoutTheArchiveTheSameCommandStartsCold() throws Exception {
        Path jsa = Files.writeString(dir.resolve("app-1-k.jsa"), "x");
        WorkerLaunch l = WorkerLaunch.fromArgv(List.of("java", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-XX:SharedArchiveFile=" + jsa, "-cp", "rt.jar:app.jar", Bootstrap.class.getName(), "Main"), Map.of());
        WorkerLaunch cold = l.withoutArchive();
        assertEquals(List.of("java", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", "rt.jar:app.jar",
                Bootstrap.class.getName(), "Main"), cold.argv());
        assertEquals(Optional.empty(), cold.archive());
        assertFalse(cold.preloaded());
    }

    @Test
    void anArchiveThatWasPrunedMeanwhileIsNotClaimed() {
        WorkerLaunch l = WorkerLaunch.fromArgv(List.of("java", "-XX:AOTCache=" + dir.resolve("gone.aot"),
                Bootstrap.class.getName()), Map.of());
        assertFalse(l.preloaded());
        assertTrue(l.archive().isEmpty());
    }

    @Test
    void aSignalChosenByTheUserIsLeftAlone() {
        WorkerLaunch l = WorkerLaunch.fromArgv(List.of("java", Bootstrap.class.getName()),
                Map.of("_JAVA_SR_SIGNUM", "41"));
        assertEquals(Map.of(), l.extraEnv());
    }

    @Test
    void aPlainCommandGetsNothingAdded() {
        WorkerLaunch l = WorkerLaunch.fromArgv(List.of("python3", "worker.py"), Map.of());
        assertFalse(l.preloaded());
        assertEquals(Map.of(), l.extraEnv());
        WorkerLaunch p = WorkerLaunch.plain(List.of("./server", "-v"), "plain command");
        assertEquals(List.of("./server", "-v"), p.argv());
        assertFalse(p.preloaded());
        assertEquals("plain command", p.description());
    }

    @Test
    void theLaunchDoesNotChangeWhenTheCallersListDoes() {
        List<String> argv = new ArrayList<>(List.of("./server"));
        WorkerLaunch l = WorkerLaunch.plain(argv, "plain");
        argv.add("--oops");
        assertEquals(List.of("./server"), l.argv());
        assertThrows(UnsupportedOperationException.class, () -> l.argv().add("x"));
    }
}
