package dev.einhorn.reexec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.cli.CliResult;
import dev.einhorn.cli.EinhornCli;
import dev.einhorn.commands.Connection;
import dev.einhorn.config.BindSpec;
import dev.einhorn.config.Config;
import dev.einhorn.config.ConfigCodec;
import dev.einhorn.listen.Listeners;
import dev.einhorn.startup.StartupException;
import dev.einhorn.posix.LibcPosix;
import dev.einhorn.protocol.Yaml;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-over between two master images, within one process: what is written is what is read back, with the
 * fds it names adopted as channels (real sockets of this test), and a hand-over of the previous format still reads.
 */
@Timeout(30)
class HandoverTest {
    @TempDir
    Path dir;

    private final LibcPosix posix = new LibcPosix();
    private final Config config = ((CliResult.Run) EinhornCli.parse(new String[] {"-n", "3", "--", "/bin/true"},
            Map.of())).config();
    private ServerSocketChannel commandSocket;
    private ServerSocketChannel listener;
    private SocketChannel peer;
    private SocketChannel client;

    @BeforeEach
    void openSockets() throws Exception {
        Path path = dir.resolve("cmd.sock");
        commandSocket = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        peer = SocketChannel.open(UnixDomainSocketAddress.of(path));
        client = commandSocket.accept();
    }

    @AfterEach
    void closeSockets() throws Exception {
        // the adopted channels share these fds: closing the originals closes both
        for (var c : List.of(client, peer, listener, commandSocket)) c.close();
    }

    private Handover handover(List<Connection> connections) {
        int port = ((InetSocketAddress) listenerAddress()).getPort();
        Listeners.Listener l = new Listeners.Listener(new BindSpec("127.0.0.1", port, List.of("r"), true, false, false),
                listener, posix.fdOf(listener), port, "AF_INET");
        Map<Object, Object> standbys = new LinkedHashMap<>();
        standbys.put(4711, Map.of("park_fd", 21, "argv", List.of("java", "-cp", "app.jar")));
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("number", 3);
        pool.put("workers", List.of());
        return new Handover(config, pool, 2, posix.fdOf(commandSocket), List.of(l), List.of(), connections,
                true, false, true, true, Map.of("pid", 99, "write_fd", 17),
                Map.of(4712, Path.of("/tmp/app.jsa")), List.of("HUP", "TTIN"), 0, List.of("/bin/true", "a b"),
                standbys);
    }

    private java.net.SocketAddress listenerAddress() {
        try {
            return listener.getLocalAddress();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void whatIsWrittenIsReadBack() throws Exception {
        Connection c = new Connection(client, 5, posix.fdOf(client));
        c.restore("{\"command\":\"st".getBytes(StandardCharsets.UTF_8),
                "unwritten reply\n".getBytes(StandardCharsets.UTF_8));
        c.queueForUpgrade(8);
        c.closeWhenFlushed();
        Handover written = handover(List.of(c));

        Handover read = Handover.read(written.bytes(), "in this test");

        assertEquals(ConfigCodec.toMap(config), ConfigCodec.toMap(read.config()));
        assertEquals(written.pool(), read.pool());
        assertEquals(2, read.generation());
        assertEquals(written.commandServerFd(), read.commandServerFd());
        Listeners.Listener l = read.listeners().get(0);
        assertEquals(written.listeners().get(0).fd(), l.fd());
        assertEquals(written.listeners().get(0).port(), l.port());
        assertEquals("AF_INET", l.family());
        assertEquals("127.0.0.1:" + l.port(), l.spec().address());
        assertEquals(listenerAddress(), l.channel().getLocalAddress(), "the adopted fd is the same socket");
        assertEquals(List.of(), read.legacyListeners());
        assertTrue(read.reloadingForUpgrade());
        assertFalse(read.smoothUpgrade());
        assertTrue(read.upgradeQueued());
        assertTrue(read.queuedSmooth());
        assertEquals(written.watchdog(), read.watchdog());
        assertEquals(written.workerArchives(), read.workerArchives());
        assertEquals(List.of("HUP", "TTIN"), read.pendingSignals());
        assertEquals(0, read.verbosity());
        assertEquals(List.of("/bin/true", "a b"), read.workerArgv());
        assertEquals(written.standbys(), read.standbys());

        Connection adopted = read.connections().get(0);
        assertEquals(5, adopted.id());
        assertEquals(c.fd(), adopted.fd());
        assertArrayEquals("{\"command\":\"st".getBytes(StandardCharsets.UTF_8), adopted.partialLine());
        assertArrayEquals("unwritten reply\n".getBytes(StandardCharsets.UTF_8), adopted.pendingOutput());
        assertTrue(adopted.shouldCloseWhenFlushed());
        assertTrue(adopted.upgradeSubscribed());
        assertTrue(adopted.upgradeQueued());
        assertEquals(8, adopted.upgradeRequestId());
    }

    @Test
    void theNextImageKeepsEveryFdTheHandOverNames() {
        Connection c = new Connection(client, 5, posix.fdOf(client));
        Handover h = handover(List.of(c));
        assertEquals(List.of(posix.fdOf(commandSocket), posix.fdOf(listener), c.fd(), 17, 21), h.fdsToKeep());
    }

    @Test
    void aHandOverOfTheFirstFormatStillReads() throws Exception {
        // format 1, as an older image wrote it: no header line, the clients' bytes as base64 scalars
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("format", 1);
        s.put("generation", 1);
        s.put("config", ConfigCodec.toMap(config));
        s.put("pool", Map.of("number", 3));
        s.put("command_server_fd", posix.fdOf(commandSocket));
        s.put("listeners", List.of());
        s.put("legacy_listeners", List.of());
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("fd", posix.fdOf(client));
        cm.put("id", 2);
        cm.put("partial", Base64.getEncoder().encodeToString("half".getBytes(StandardCharsets.UTF_8)));
        cm.put("pending", Base64.getEncoder().encodeToString("reply\n".getBytes(StandardCharsets.UTF_8)));
        cm.put("close_when_flushed", false);
        cm.put("upgrade_subscribed", true);
        cm.put("upgrade_request_id", "u1");
        cm.put("upgrade_queued", false);
        s.put("connections", List.of(cm));
        s.put("reloading_for_upgrade", true);
        s.put("smooth_upgrade", true);
        s.put("pending_signals", List.of());
        s.put("verbosity", 1);
        s.put("worker_argv", List.of("/bin/true"));

        Handover read = Handover.read(Yaml.dump(s).getBytes(StandardCharsets.UTF_8), "in this test");

        assertEquals(1, read.generation());
        assertTrue(read.reloadingForUpgrade());
        assertTrue(read.smoothUpgrade());
        assertFalse(read.upgradeQueued());
        assertEquals(Map.of(), read.workerArchives());
        Connection adopted = read.connections().get(0);
        assertArrayEquals("half".getBytes(StandardCharsets.UTF_8), adopted.partialLine());
        assertArrayEquals("reply\n".getBytes(StandardCharsets.UTF_8), adopted.pendingOutput());
        assertTrue(adopted.upgradeSubscribed());
        assertFalse(adopted.upgradeQueued());
        assertEquals("u1", adopted.upgradeRequestId());
    }

    @Test
    void aHandOverOfAnotherFormatIsRefusedWithAReason() {
        byte[] future = Yaml.dump(Map.of("format", 4)).getBytes(StandardCharsets.UTF_8);
        StartupException e = assertThrows(StartupException.class, () -> Handover.read(future, "on fd 9"));
        assertEquals("State format 4 is not 1 to 3: was the previous master a different version of einhorn?",
                e.getMessage());
        StartupException garbage = assertThrows(StartupException.class,
                () -> Handover.read("einhorn-handover-2 x\n".getBytes(StandardCharsets.US_ASCII), "on fd 9"));
        assertTrue(garbage.getMessage().startsWith("Could not read the state handed over on fd 9: "),
                garbage.getMessage());
    }
}
