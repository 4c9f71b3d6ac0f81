package dev.einhorn.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.posix.LibcPosix;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command server over a real UNIX socket: one client's failure, even an Error, costs only that client. */
@Timeout(30)
class CommandServerTest {
    @TempDir
    Path dir;

    @Test
    void anErrorWhileHandlingOneClientClosesThatClientAndTheServerKeepsServing() throws Exception {
        Path path = dir.resolve("s.sock");
        List<String> handled = new ArrayList<>();
        try (Selector selector = Selector.open();
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                     .bind(UnixDomainSocketAddress.of(path))) {
            CommandServer commands = new CommandServer(server, selector, new LibcPosix(), (c, line) -> {
                if (line.equals("boom")) throw new OutOfMemoryError("Java heap space (simulated)");
                handled.add(line);
            });
            try (SocketChannel hostile = SocketChannel.open(UnixDomainSocketAddress.of(path));
                 SocketChannel friendly = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                hostile.write(ByteBuffer.wrap("boom\nnever handled\n".getBytes(StandardCharsets.UTF_8)));
                friendly.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.UTF_8)));
                while (handled.isEmpty() || commands.connections().size() != 1) pump(selector, commands);
                assertEquals(List.of("hello"), handled, "the other client was served; nothing after the Error");
                assertEquals(-1, hostile.read(ByteBuffer.allocate(16)), "the failing client was closed");
            }
        }
    }

    /** One round of what Master.loop does with the command server's keys. */
    private static void pump(Selector selector, CommandServer commands) throws IOException {
        selector.select(1000);
        for (SelectionKey key : selector.selectedKeys()) {
            if (!key.isValid()) continue;
            if (key.attachment() == commands) {
                commands.acceptAll();
            } else if (key.attachment() instanceof Connection c && key.isReadable()) {
                commands.onReadable(c);
            }
        }
        selector.selectedKeys().clear();
        assertTrue(selector.isOpen());
    }
}
