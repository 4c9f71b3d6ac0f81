package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Hostile or broken clients: each gets an error reply or a closed connection, and the master keeps serving. */
class BadInputIT extends TwoPidServersFixture {
    /** The master answers commands, keeps the same workers, and they still serve. */
    private void assertStillServing() throws Exception {
        assertTrue(einhorn.process.isAlive(), "the master is alive");
        assertEquals(workers, einhorn.workerPids(), "the same workers");
        Set<Long> answered = new HashSet<>();
        int port = einhorn.port(0);
        for (int i = 0; i < 50; i++) answered.add(Long.parseLong(EinhornUnderTest.ask(port)));
        assertTrue(workers.containsAll(answered) && !answered.isEmpty());
    }

    @Test
    void anOverlongLineClosesTheConnection() throws Exception {
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            String chunk = "x".repeat(64 * 1024);
            try {
                for (int i = 0; i < 20; i++) c.sendRaw(chunk); // 1.25 MiB, no newline
            } catch (IOException closedWhileWriting) {
                // the master may close before we finish writing: that is the point
            }
            assertTrue(c.closedByPeer());
        }
        einhorn.awaitLog("closing the connection: request line longer than 1048576 bytes");
        assertStillServing();
    }

    @Test
    void aClientThatDisconnectsMidLineIsForgotten() throws Exception {
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("{\"command\":\"set_wor");
        }
        assertStillServing();
        assertEquals(2, ((java.util.Map<?, ?>) einhorn.state().get("config")).get("number"));
    }

    @Test
    void aClientThatNeverReadsIsDroppedOnceTooFarBehind() throws Exception {
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            String request = "{\"command\":\"help\"}\n".repeat(100);
            try {
                for (int i = 0; i < 200; i++) c.sendRaw(request); // 20,000 replies of 1.4 KB each, never read
            } catch (IOException dropped) {
                // expected once the master gives up on us
            }
            einhorn.awaitLog("the client is not reading its replies");
        }
        assertStillServing();
    }

    @Test
    void anAliasBombIsRefusedAsUnparseable() throws Exception {
        // 15 levels of 9 aliases each: ~10^14 nodes if expanded; the loader caps aliases instead
        StringBuilder bomb = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x]%0A");
        for (char ch = 'b'; ch <= 'p'; ch++) {
            String prev = "*" + (char) (ch - 1);
            bomb.append(ch).append(": &").append(ch).append(" [").append(String.join(",", java.util.Collections.nCopies(9, prev)))
                    .append("]%0A");
        }
        bomb.append("command: state%0A\n");
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw(bomb.toString());
            assertEquals(ALIASES_REFUSED, c.readLine());
        }
        assertStillServing();
    }

    static final String ALIASES_REFUSED = "---%0Amessage: 'Could not parse command: YAML aliases are not accepted'%0A";

    /**
     * Issue 9's 536-byte request: k anchors, each a list of two aliases of the previous one, stays under any cap
     * on the number of aliases yet expands to 2^k nodes when the reply echoes it.
     */
    static String aliasChain(int k, String command, String echoedKey) {
        StringBuilder anchors = new StringBuilder("\"a0\": &a0 \"xxxxxxxxxx\"");
        for (int i = 1; i <= k; i++) {
            anchors.append(", \"a").append(i).append("\": &a").append(i).append(" [*a").append(i - 1)
                    .append(", *a").append(i - 1).append("]");
        }
        return "{" + anchors + ", \"command\":\"" + command + "\",\"" + echoedKey + "\":*a" + k + "}\n";
    }

    @Test
    void anAliasChainEchoedByEhloOrHelpIsRefusedAndTheMasterKeepsItsWorkers() throws Exception {
        for (String[] via : new String[][] {{"ehlo", "user"}, {"help", "id"}}) {
            String request = aliasChain(20, via[0], via[1]);
            if (via[0].equals("ehlo")) assertEquals(536, request.length() - 1, "the issue's request, byte for byte");
            try (CommandClient c = new CommandClient(einhorn.socket)) {
                c.sendRaw(request);
                assertEquals(ALIASES_REFUSED, c.readLine(), "via " + via[0]);
            }
            assertEquals(List.of("Welcome, tester! You are speaking to Einhorn Master Process " + einhorn.pid()
                    + ".\nThis is Einhorn 0.8.2.\n"), einhorn.command("{\"command\":\"ehlo\",\"user\":\"tester\",\"id\":1}"));
            assertStillServing();
        }
    }

    /**
     * A client that leaves megabytes of replies unread (under the 8 MiB limit) while the master re-execs: its
     * unwritten replies are handed over with it, and the new image must read a hand-over larger than any request.
     */
    @Test
    void megabytesOfUnreadRepliesSurviveAReload() throws Exception {
        try (CommandClient lazy = new CommandClient(einhorn.socket)) {
            // ~4 MB of replies, never read; the last request (quieter) shows when all of them have been handled
            lazy.sendRaw("{\"command\":\"help\"}\n".repeat(3000) + "{\"command\":\"quieter\"}\n");
            einhorn.awaitTrue("the requests handled", () -> {
                try {
                    return ((Number) einhorn.state().get("verbosity")).intValue() == 2;
                } catch (IOException e) {
                    return false;
                }
            });
            einhorn.command("{\"command\":\"louder\",\"id\":1}");
            einhorn.reload();
            assertStillServing();
            String first = lazy.readLine(); // and the lazy client still gets its replies
            assertTrue(first.startsWith("---%0Amessage:"), first);
        }
    }

    /**
     * A worker:ping whose request_id was !!binary kept a byte[] in the worker's state: from then on every state
     * failed ("cannot write [B as YAML") and so did every reload and upgrade ("Could not reload!").
     */
    @Test
    @SuppressWarnings("unchecked")
    void aTaggedPingRequestIdCannotBreakStateOrReloads() throws Exception {
        long worker = workers.get(0);
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("{\"command\":\"worker:ping\",\"pid\":" + worker + ",\"request_id\":!!binary \"aGk=\"}\n");
            assertTrue(c.closedByPeer());
        }
        Map<String, Object> child = (Map<String, Object>) ((Map<String, Object>) einhorn.state().get("children"))
                .get(Long.toString(worker));
        assertEquals("aGk=", child.get("pinged_request_id"));
        einhorn.reload();
        assertStillServing();
    }

    /**
     * An upgrade's id is kept until the upgrade ends and handed to every image in between. Twenty clients each
     * queueing an upgrade with a 1 MB id filled the master's heap during the re-exec: it died of an
     * OutOfMemoryError and left its workers orphaned. Such ids are refused now, with one last reply each; ids at
     * the bound are kept, streamed and answered through the re-exec as before.
     */
    @Test
    void upgradesWhoseIdsTheMasterCannotKeepAreRefusedAndTheOthersSurviveTheReexec() throws Exception {
        List<java.util.concurrent.CompletableFuture<List<String>>> streams = new java.util.ArrayList<>();
        List<CommandClient> clients = new java.util.ArrayList<>();
        try {
            for (char tag : new char[] {'a', 'b'}) { // two upgrades with ids at the bound: one runs, one waits
                CommandClient c = new CommandClient(einhorn.socket);
                clients.add(c);
                String request = "{\"command\":\"upgrade\",\"id\":\"" + String.valueOf(tag).repeat(1024) + "\"}";
                streams.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.request(request);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            // meanwhile twenty clients, one after another (under the clients' 8 MiB budget), ask for upgrades with
            // ids of a megabyte: before the bound each was queued and kept
            for (int i = 0; i < 20; i++) {
                try (CommandClient c = new CommandClient(einhorn.socket)) {
                    assertEquals(List.of("Upgrade refused: an upgrade's id is kept until the upgrade ends and may be at "
                            + "most 1024 characters (this one: 1000000)"),
                            c.request("{\"command\":\"upgrade\",\"id\":\"" + "x".repeat(1_000_000) + "\"}"));
                }
            }
            for (var stream : streams) {
                List<String> messages = stream.get(180, TimeUnit.SECONDS);
                assertEquals("Upgrade done", messages.get(messages.size() - 1), String.join("\n", messages));
            }
        } finally {
            for (CommandClient c : clients) c.close();
        }
        assertTrue(einhorn.process.isAlive(), "the master is alive");
        assertTrue(!einhorn.logText().contains("OutOfMemoryError"), einhorn.logText());
        assertEquals(2, einhorn.awaitAckedWorkers(2).size());
    }

    /** A ping keeps its request_id in state: a bounded scalar, so pings cannot fill the master or break state. */
    @Test
    @SuppressWarnings("unchecked")
    void aPingRequestIdIsABoundedScalar() throws Exception {
        long worker = workers.get(0);
        for (String id : List.of("\"" + "i".repeat(1025) + "\"", "[1, 2]", "\"" + "k".repeat(1024) + "\"")) {
            try (CommandClient c = new CommandClient(einhorn.socket)) {
                c.sendRaw("{\"command\":\"worker:ping\",\"pid\":" + worker + ",\"request_id\":" + id + "}\n");
                assertTrue(c.closedByPeer());
            }
        }
        einhorn.awaitLog("Invalid request (request_id of 1025 characters, the limit is 1024): ignoring the ping");
        einhorn.awaitLog("Invalid request (request_id is not a scalar: Array): ignoring the ping");
        Map<String, Object> child = (Map<String, Object>) ((Map<String, Object>) einhorn.state().get("children"))
                .get(Long.toString(worker));
        assertEquals("k".repeat(1024), child.get("pinged_request_id"));
        assertStillServing();
    }

    /**
     * A client's text reaches the master's log and its replies as at most 200 characters of it, escaped as Ruby's
     * inspect does: a megabyte of garbage is one short log line (a thousand of them no longer flood the log), and
     * a CR, a newline or an ANSI escape in a request can neither forge a log line nor drive the reader's terminal.
     */
    @Test
    void aClientsTextIsQuotedBoundedAndEscapedInTheLogAndItsReply() throws Exception {
        String junk = "A".repeat(1_000_000); // with the JSON around it, under the 1 MiB line limit
        sendAndExpectClose("{\"command\":\"worker:ack\",\"junk\":\"" + junk + "\"}\n");
        einhorn.awaitLog("Invalid request (no pid): {\"command\"=>\"worker:ack\", \"junk\"=>\"AAAA");
        sendAndExpectClose("{\"command\":\"worker:ack\",\"junk\":\"x\\r\\n[MASTER 1] ERROR: FORGED\\u001b[2J\\u0085\"}\n");
        einhorn.awaitLog("\"junk\"=>\"x\\r\\n[MASTER 1] ERROR: FORGED\\e[2J\\u0085\"}");
        // an id the reply cannot echo (a mapping key with a CR and an escape): the master logs why, twice
        sendAndExpectClose("{\"command\":\"ehlo\",\"id\":{\"a\\rb\\u001b[2Jc\":1}}\n");
        einhorn.awaitLog("handling it failed with java.lang.IllegalArgumentException: YAML key too long or multi-line: "
                + "\"a\\rb\\e[2Jc\"");
        List<String> reply = einhorn.command("{\"command\":\"\\r\\u001b[1m" + junk + "\",\"id\":1}");
        assertTrue(reply.get(0).startsWith("Unrecognized command: \"\\r\\e[1m" + "A".repeat(195)
                + "\"... (1000005 bytes)\n\nconfig: "), reply.get(0).substring(0, 300));
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("\u0001\r\u001b[2J" + "B".repeat(1_000_000) + "\n");
            assertEquals("---%0Amessage: Could not parse command%0A", c.readLine());
        }

        String log = einhorn.logText();
        assertTrue(log.contains("Invalid request (no pid)"), "the log read whole: " + log);
        assertTrue(log.indexOf('\r') < 0 && log.indexOf('\u001b') < 0 && log.indexOf('\u0085') < 0,
                "no raw CR, escape or NEL in the log");
        for (String line : log.split("\n")) {
            assertTrue(line.length() <= 400, () -> "a log line of " + line.length() + " characters: " + line.substring(0, 400));
            assertTrue(!line.contains("FORGED") || line.contains("Invalid request (no pid)"), line);
        }
        assertTrue(log.length() < 64 * 1024, "the log stays small: " + log.length() + " characters");
        assertTrue(einhorn.command("{\"command\":\"ehlo\",\"user\":\"tester\",\"id\":1}").get(0)
                .startsWith("Welcome, tester!"));
        assertStillServing();
    }

    private void sendAndExpectClose(String request) throws IOException {
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw(request);
            assertTrue(c.closedByPeer(), "the master closes the connection without a reply");
        }
    }

    @Test
    void deeplyNestedYamlIsRefused() throws Exception {
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("[".repeat(20000) + "\n");
            assertEquals("---%0Amessage: Could not parse command%0A", c.readLine());
        }
        assertStillServing();
    }

    @Test
    void theCommandSocketIsOwnerOnlyAndOtherUsersAreRefused() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(einhorn.socket)));
        // Open it up on purpose, then connect as nobody: the peer check (SO_PEERCRED) still refuses.
        Files.setPosixFilePermissions(einhorn.socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        for (Path p = einhorn.socket.getParent(); p.getParent() != null; p = p.getParent()) {
            Set<java.nio.file.attribute.PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(p));
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
        String script = "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\n"
                + "try:\n  s.sendall(b'{\"command\":\"inc\",\"id\":1}\\n')\n  print('closed' if s.recv(4096) == b'' else 'answered')\n"
                + "except (ConnectionResetError, BrokenPipeError):\n  print('closed')\n";
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", "-c", script, einhorn.socket.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals("closed", out.trim(), "the connection is closed without a reply");
        String self = System.getProperty("user.name");
        einhorn.awaitLog("refusing a connection from user nobody: only "
                + (self.equals("root") ? "root" : self + " and root") + " may use the command socket");
        assertEquals(2, ((java.util.Map<?, ?>) einhorn.state().get("config")).get("number"), "inc was not run");
        assertStillServing();
    }
}
