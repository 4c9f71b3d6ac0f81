package dev.einhorn.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.protocol.Framing;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A command-socket client's line assembly and write queue, and their bounds. */
@Timeout(30)
class ConnectionTest {
    @TempDir
    Path dir;

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void linesAreCutAtNewlinesAcrossReadsAndTheRestWaits() throws Exception {
        Connection c = new Connection(null, 1, 9);
        assertEquals(List.of(), c.takeLines(bytes("{\"comm")));
        assertEquals(6, c.bufferedBytes(), "the unfinished line is held");
        assertEquals(List.of("{\"command\":\"ehlo\"}", ""), c.takeLines(bytes("and\":\"ehlo\"}\n\nnext")));
        assertArrayEquals("next".getBytes(StandardCharsets.UTF_8), c.partialLine());
        assertEquals(4, c.bufferedBytes());
    }

    @Test
    void aLineOfTheLimitIsTakenAndOneByteMoreIsRefused() throws Exception {
        Connection c = new Connection(null, 1, 9);
        String atLimit = "x".repeat(Framing.MAX_LINE_BYTES);
        assertEquals(List.of(atLimit), c.takeLines(bytes(atLimit + "\n")));
        Connection over = new Connection(null, 2, 10);
        over.takeLines(bytes(atLimit));
        Connection.LineTooLongException e = assertThrows(Connection.LineTooLongException.class,
                () -> over.takeLines(bytes("y")));
        assertEquals("request line longer than " + Framing.MAX_LINE_BYTES + " bytes", e.getMessage());
    }

    @Test
    void aClientThatDoesNotReadIsReportedOncePastItsOutputLimit() {
        Connection c = new Connection(null, 1, 9);
        String chunk = "r".repeat(1 << 20);
        for (int i = 0; i < Connection.MAX_PENDING_OUTPUT / chunk.length(); i++) {
            assertTrue(c.send(chunk), "within the limit after " + (i + 1) + " MiB");
        }
        assertEquals(Connection.MAX_PENDING_OUTPUT, c.bufferedBytes());
        assertFalse(c.send("one more byte"), "past the limit: the server drops it");
    }

    @Test
    void aClosedConnectionQueuesNothing() {
        Connection c = new Connection(null, 1, 9);
        c.markClosed();
        assertTrue(c.send("late reply\n"));
        assertFalse(c.hasPendingOutput());
    }

    @Test
    void flushWritesTheQueuedRepliesInOrder() throws Exception {
        Path path = dir.resolve("c.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(path));
             SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(path));
             SocketChannel accepted = server.accept()) {
            Connection c = new Connection(accepted, 1, 9);
            c.send("first\n");
            c.send("second\n");
            assertTrue(c.flush(), "a local socket takes a few bytes at once");
            assertFalse(c.hasPendingOutput());
            assertEquals(0, c.bufferedBytes());
            ByteBuffer read = ByteBuffer.allocate(64);
            while (read.position() < 13) peer.read(read);
            assertEquals("first\nsecond\n", new String(read.array(), 0, read.position(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void whatARestoredClientHoldsIsCopiedOutPartialLineFirst() throws Exception {
        Connection c = new Connection(null, 3, 11);
        c.restore("half a req".getBytes(StandardCharsets.UTF_8), "unsent reply\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(10, c.partialLineLength());
        assertEquals(13, c.pendingOutputLength());
        ByteBuffer out = ByteBuffer.allocate(23);
        c.copyBufferedTo(out);
        assertEquals("half a requnsent reply\n", new String(out.array(), StandardCharsets.UTF_8));
        assertEquals(List.of("half a request"), c.takeLines(bytes("uest\n")), "the restored line goes on");
    }

    @Test
    void anUpgradeSubscriptionGoesFromQueuedToFollowingToNone() {
        Connection c = new Connection(null, 1, 9);
        c.queueForUpgrade(7);
        assertTrue(c.upgradeSubscribed());
        assertTrue(c.upgradeQueued());
        c.promoteQueuedUpgrade();
        assertFalse(c.upgradeQueued());
        assertEquals(7, c.upgradeRequestId());
        c.unsubscribeFromUpgrade();
        assertFalse(c.upgradeSubscribed());
        assertEquals(null, c.upgradeRequestId());
    }

    @Test
    void itsLabelIsEinhorns() {
        assertEquals("client 4:12", new Connection(null, 4, 12).label());
    }
}
