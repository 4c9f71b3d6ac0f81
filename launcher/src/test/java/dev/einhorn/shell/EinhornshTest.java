package dev.einhorn.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.protocol.Replies;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EinhornshTest {
    @TempDir Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(LineSource input, String... args) {
        return Einhornsh.run(args, input, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void executesASequenceWithIncreasingIds() throws Exception {
        Path sock = dir.resolve("e.sock");
        try (ScriptedMasterSocket master = new ScriptedMasterSocket(sock, line -> List.of(Replies.encode(
                line.contains("inc") ? "Incrementing number of workers from 1 -> 2"
                        : "Decrementing number of workers from 2 -> 1", line.contains("id: 1") ? 1 : 2, true)))) {
            assertEquals(0, run(null, "-d", sock.toString(), "-e", "inc; dec"));
            assertEquals(List.of("---%0Aid: 1%0Acommand: inc%0Aargs: []%0A", "---%0Aid: 2%0Acommand: dec%0Aargs: []%0A"),
                    master.received);
        }
        assertEquals("Incrementing number of workers from 1 -> 2\nDecrementing number of workers from 2 -> 1\n", out());
        assertEquals("", err());
    }

    @Test
    void sendsShellSplitArguments() throws Exception {
        Path sock = dir.resolve("e.sock");
        try (ScriptedMasterSocket master = new ScriptedMasterSocket(sock, line -> List.of(Replies.encode("", 1, true)))) {
            assertEquals(0, run(null, "--socket-path", sock.toString(), "--execute", "set_workers 3 'a b'"));
            assertEquals(List.of("---%0Aid: 1%0Acommand: set_workers%0Aargs:%0A- '3'%0A- a b%0A"), master.received);
        }
        assertEquals("\n", out());
    }

    @Test
    void printsAStreamUntilAReplyWithoutWait() throws Exception {
        Path sock = dir.resolve("e.sock");
        List<String> stream = List.of(
                Replies.encode("Upgrading smoothly, as commanded", 1, false),
                Replies.encode("===> Launched 4701 (index: 2)", 1, false),
                Replies.encode("two\nlines\n", 1, false),
                Replies.encode("Upgrade done", 1, true));
        try (ScriptedMasterSocket master = new ScriptedMasterSocket(sock, line -> stream)) {
            assertEquals(0, run(null, "-d", sock.toString(), "-e", "upgrade"));
        }
        assertEquals("Upgrading smoothly, as commanded\n===> Launched 4701 (index: 2)\ntwo\nlines\nUpgrade done\n", out());
    }

    @Test
    void readsCommandsFromPipedStdinUntilQuit() throws Exception {
        Path sock = dir.resolve("e.sock");
        try (ScriptedMasterSocket master = new ScriptedMasterSocket(sock, line -> List.of(Replies.encode("ok", 1, true)))) {
            assertEquals(0, run(LineSource.of(List.of("", "louder", "quit; dec", "inc")), "-d", sock.toString()));
            assertEquals(List.of("---%0Aid: 1%0Acommand: louder%0Aargs: []%0A"), master.received);
        }
        assertEquals("ok\n", out());
        assertEquals("", err());
    }

    @Test
    void missingSocketExplainsAndExits1() {
        Path sock = dir.resolve("nonexist.sock");
        assertEquals(1, run(null, "-d", sock.toString(), "-e", "inc"));
        assertEquals("Could not connect to Einhorn master process:\n\n"
                + "  No such file or directory - connect(2) for " + sock + "\n\n"
                + "HINT: Are you sure you are running an Einhorn master?  If so, you\n"
                + "should pass einhornsh the cmd_name (-c argument) provided to Einhorn.\n", err());
    }

    @Test
    void connectionClosedMidStreamIsAnError() throws Exception {
        Path sock = dir.resolve("e.sock");
        try (ScriptedMasterSocket master = new ScriptedMasterSocket(sock, line -> List.of(
                Replies.encode("Upgrading smoothly, as commanded", 1, false), ScriptedMasterSocket.HANG_UP))) {
            assertEquals(1, run(null, "-d", sock.toString(), "-e", "upgrade"));
        }
        assertEquals("Upgrading smoothly, as commanded\n", out());
        assertEquals("einhornsh: the Einhorn master closed the connection before its reply was complete\n", err());
    }

    @Test
    void upgradeFailureExits2AndStops() throws Exception {
        Path sock = dir.resolve("e.sock");
        try (ScriptedMasterSocket master = new ScriptedMasterSocket(sock, line -> List.of(
                Replies.encode("Upgrading smoothly, as commanded", 1, false),
                Replies.encode("Upgrade failed: the new master did not start", 1, true)))) {
            assertEquals(Einhornsh.UPGRADE_FAILED_EXIT_STATUS, run(null, "-d", sock.toString(), "-e", "upgrade; inc"));
            assertEquals(1, master.received.size());
        }
        assertEquals("Upgrading smoothly, as commanded\nUpgrade failed: the new master did not start\n", out());
    }

    @Test
    void helpAndTooManyArgumentsPrintUsageAndExit1() {
        assertEquals(1, run(null, "-h"));
        assertTrue(err().startsWith("Usage: einhornsh [options] [cmd_name]"), err());
        assertTrue(err().contains("-d, --socket-path=PATH"), err());
        assertTrue(err().contains("einhornsh [options] watch [cmd_name]: a live table of the workers.\n"), err());
        err.reset();
        assertEquals(1, run(null, "a", "b"));
        assertTrue(err().startsWith("Usage: einhornsh"), err());
    }
}
