package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Many clients, each within its own bounds (an unfinished line under 1 MiB, unread replies under 8 MiB), together
 * used to fill the master's 64 MiB heap: 40 such lines plus a {@code reload} (whose hand-over copied them all)
 * killed the master with OutOfMemoryError and orphaned its workers. All clients together now hold at most 8 MiB;
 * past that the client holding the most is dropped (docs/PROTOCOL.md, "Bounds").
 */
class ClientMemoryIT extends TwoPidServersFixture {
    @Test
    void manyUnfinishedLinesAndUnreadRepliesCannotExhaustTheMastersMemory() throws Exception {
        List<CommandClient> hostile = new ArrayList<>();
        try {
            String almostALine = "x".repeat(1024 * 1024 - 16); // under the 1 MiB line limit, never ended
            for (int i = 0; i < 40; i++) {
                CommandClient c = new CommandClient(einhorn.socket);
                hostile.add(c);
                sendIgnoringClose(c, almostALine);
            }
            for (int i = 0; i < 3; i++) { // ~4 MB of replies each, never read
                CommandClient c = new CommandClient(einhorn.socket);
                hostile.add(c);
                sendIgnoringClose(c, "{\"command\":\"help\"}\n".repeat(3000));
            }
            // an operator's reload copies what the clients hold into the hand-over: it must fit
            einhorn.reload();
            assertTrue(einhorn.process.isAlive(), "the master is alive");
            assertEquals(List.of("Welcome, op! You are speaking to Einhorn Master Process " + einhorn.pid()
                    + ".\nThis is Einhorn 0.8.2.\n"), einhorn.command("{\"command\":\"ehlo\",\"user\":\"op\",\"id\":1}"));
            assertEquals(workers, einhorn.workerPids(), "the same workers");
            int port = einhorn.port(0);
            for (int i = 0; i < 20; i++) assertTrue(workers.contains(Long.parseLong(EinhornUnderTest.ask(port))));
            assertTrue(!einhorn.logText().contains("OutOfMemoryError"), einhorn.logText());
            einhorn.awaitLog("closing the connection: the clients hold ");
        } finally {
            for (CommandClient c : hostile) c.close();
        }
    }

    private static void sendIgnoringClose(CommandClient c, String bytes) {
        try {
            c.sendRaw(bytes);
        } catch (IOException droppedByTheMaster) {
            // the budget at work: this client was the one holding the most
        }
    }
}
