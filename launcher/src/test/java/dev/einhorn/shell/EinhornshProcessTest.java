package dev.einhorn.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.protocol.Replies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** einhornsh as bin/einhornsh runs it: its own JVM, its environment's TMPDIR, stdin not a terminal. */
class EinhornshProcessTest {
    @TempDir Path tmp;

    private Process start(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Einhornsh.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("TMPDIR", tmp.toString());
        return pb.start();
    }

    private static String finish(Process p, int expectedStatus) throws Exception {
        p.getOutputStream().close();
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(expectedStatus, p.exitValue());
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void positionalCmdNameNamesTheSocketInTmpdir() throws Exception {
        try (ScriptedMasterSocket master = new ScriptedMasterSocket(tmp.resolve("einhorn-shtest.sock"),
                line -> List.of(Replies.encode("Verbosity set to 0", 1, true)))) {
            assertEquals("Verbosity set to 0\n", finish(start("shtest", "-e", "louder"), 0));
        }
    }

    @Test
    void dashCWinsOverThePositionalName() throws Exception {
        try (ScriptedMasterSocket master = new ScriptedMasterSocket(tmp.resolve("einhorn-real.sock"),
                line -> List.of(Replies.encode("ok", 1, true)))) {
            assertEquals("ok\n", finish(start("-c", "real", "other", "-e", "inc"), 0));
        }
    }

    @Test
    void withoutANameTheSocketIsEinhornSock() throws Exception {
        Process p = start("-e", "inc");
        finish(p, 1);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(err.contains("connect(2) for " + tmp.resolve("einhorn.sock") + "\n"), err);
    }

    @Test
    void readsPipedStdinWithoutBanner() throws Exception {
        try (ScriptedMasterSocket master = new ScriptedMasterSocket(tmp.resolve("einhorn.sock"),
                line -> List.of(Replies.encode("Incrementing number of workers from 1 -> 2", 1, true)))) {
            Process p = start();
            p.getOutputStream().write("inc\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("Incrementing number of workers from 1 -> 2\n", finish(p, 0));
            assertEquals("", new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(List.of("---%0Aid: 1%0Acommand: inc%0Aargs: []%0A"), master.received);
        }
    }
}
