package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command socket byte for byte against Einhorn 0.8.2's observed wire examples (docs/PROTOCOL.md#wire-examples). */
class ProtocolIT {
    @TempDir
    static Path dir;
    static EinhornUnderTest einhorn;

    @BeforeAll
    static void start() throws Exception {
        einhorn = EinhornUnderTest.start(dir, "-n", "1", "-m", "manual", "-b", "127.0.0.1:0",
                "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString());
        einhorn.awaitAckedWorkers(1);
    }

    @AfterAll
    static void stop() throws Exception {
        einhorn.close();
    }

    private String exchange(String request) throws Exception {
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw(request);
            return c.readLine();
        }
    }

    @Test
    void ehloGreetsWithALiteralBlock() throws Exception {
        assertEquals("---%0Amessage: |%0A  Welcome, bob! You are speaking to Einhorn Master Process " + einhorn.pid()
                + ".%0A  This is Einhorn 0.8.2.%0Arequest_id: 1%0A", exchange("{\"command\":\"ehlo\",\"user\":\"bob\",\"id\":1}\n"));
    }

    @Test
    void percentIsEscapedAndOldStyleRequestsGetNoRequestId() throws Exception {
        assertEquals("---%0Amessage: |%0A  Welcome, x y%25z+q! You are speaking to Einhorn Master Process "
                + einhorn.pid() + ".%0A  This is Einhorn 0.8.2.%0A", exchange("{\"command\":\"ehlo\",\"user\":\"x y%z+q\"}\n"));
    }

    @Test
    void garbageCannotBeParsed() throws Exception {
        assertEquals("---%0Amessage: Could not parse command%0A", exchange("garbage: [\n"));
        assertEquals("---%0Amessage: Could not parse command%0A", exchange("[1,2]\n"));
    }

    @Test
    void signalRepliesWithOneNewlineLessThanSignals() throws Exception {
        assertEquals("---%0Amessage: \"\\n\"%0Arequest_id: 16%0A",
                exchange("{\"command\":\"signal\",\"id\":16,\"args\":[\"cont\",\"SIGWINCH\"]}\n"));
    }

    @Test
    void setWorkersRefusesZeroWithPsychQuoting() throws Exception {
        assertEquals("---%0Amessage: 'Invalid count: ''0''. Must be an integer in [1,1000).'%0Arequest_id: 11%0A",
                exchange("{\"command\":\"set_workers\",\"id\":11,\"args\":[\"0\"]}\n"));
    }

    @Test
    void einhornshStyleYamlBlockRequestsWork() throws Exception {
        assertEquals("---%0Amessage: ''%0Arequest_id: 2%0A",
                exchange("---%0Aid: 2%0Acommand: set_workers%0Aargs:%0A- '1'%0A\n"));
    }

    @Test
    void helpListsTheCommands() throws Exception {
        String reply = CommandClient.decode(exchange("{\"command\":\"help\"}\n"));
        assertTrue(reply.startsWith("---\nmessage: |\n  You are speaking to the Einhorn command socket. You can run the "
                + "following commands:\n\n  config: Merge in"), reply);
        assertTrue(reply.contains("\n  upgrade_fleet: Upgrade all Einhorn workers a fleet at a time."), reply);
    }

    @Test
    void workerAckGetsNoReplyAndTheConnectionIsClosed() throws Exception {
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("---%0Acommand: worker:ack%0Apid: 1%0A\n");
            assertTrue(c.closedByPeer());
        }
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("---%0Acommand: worker:ping%0Apid: 1%0Arequest_id: req-1%0A\n");
            assertTrue(c.closedByPeer());
        }
        assertTrue(einhorn.logText().contains("Could not find state for PID 1; ignoring ACK."));
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("{\"command\":\"quieter\",\"id\":1}\n{\"command\":\"louder\",\"id\":2}\n{\"command\":\"bogus\",\"id\":3}\n");
            assertEquals("---%0Amessage: Verbosity set to 2%0Arequest_id: 1%0A", c.readLine());
            assertEquals("---%0Amessage: Verbosity set to 1%0Arequest_id: 2%0A", c.readLine());
            String unknown = CommandClient.decode(c.readLine());
            assertTrue(unknown.startsWith("---\nmessage: |\n  Unrecognized command: \"bogus\"\n\n  config: "), unknown);
            assertTrue(unknown.endsWith("request_id: 3\n"), unknown);
        }
    }

    @Test
    void argumentChecksMatchEinhorn() throws Exception {
        assertEquals(List.of("Argument is a Integer, not a string: 3"),
                einhorn.command("{\"command\":\"set_workers\",\"id\":4,\"args\":[3]}"));
        assertEquals(List.of("Args must be an array"), einhorn.command("{\"command\":\"signal\",\"id\":5,\"args\":\"HUP\"}"));
        assertEquals(List.of("No args provided"), einhorn.command("{\"command\":\"die\",\"id\":6}"));
        assertEquals(List.of("No \"command\" parameter provided; not sure what you want me to do."),
                einhorn.command("{\"id\":7}"));
        assertEquals(List.of("Invalid signal: \"FOO\""), einhorn.command("{\"command\":\"signal\",\"id\":8,\"args\":[\"foo\"]}"));
        assertEquals(List.of("Can't decrease number of workers (already at 1).  Run kill " + einhorn.pid()
                + " if you really want to kill einhorn."), einhorn.command("{\"command\":\"dec\",\"id\":9}"));
    }

    @Test
    void stateListsTheChildrenWithEinhornsKeys() throws Exception {
        String raw = CommandClient.decode(exchange("{\"command\":\"state\",\"id\":1}\n"));
        List<Long> pids = einhorn.workerPids();
        assertTrue(raw.contains(":state:"), raw);
        assertTrue(raw.contains(":children:"), raw);
        assertTrue(raw.contains("      " + pids.get(0) + ":\n"), raw);
        assertTrue(raw.contains(":type: :worker"), raw);
        assertTrue(raw.contains(":signaled: []"), raw);
        assertTrue(einhorn.state().get("bound_ports") instanceof List<?> ports && ((Number) ports.get(0)).intValue() > 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void workerPingIsRecordedInState() throws Exception {
        long pid = einhorn.workerPids().get(0);
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("---%0Acommand: worker:ping%0Apid: " + pid + "%0Arequest_id: id-1%0A\n");
            assertTrue(c.closedByPeer(), "no reply to a ping");
        }
        Map<String, Object> child = (Map<String, Object>) ((Map<String, Object>) einhorn.state().get("children"))
                .get(Long.toString(pid));
        assertEquals("id-1", child.get("pinged_request_id"));
        assertTrue(child.get("pinged_at") != null, child.toString());
    }

    @Test
    void configMergesTheKeysThatMeanSomething() throws Exception {
        assertEquals(List.of("Successfully merged in config: {\"verbosity\"=>1}"),
                einhorn.command("{\"command\":\"config\",\"id\":1,\"args\":[\"{verbosity: 1}\"]}"));
        assertEquals(List.of("Unknown config key \"seconds\" (known: number, verbosity)"),
                einhorn.command("{\"command\":\"config\",\"id\":2,\"args\":[\"{seconds: 2}\"]}"));
        assertEquals(List.of("Must pass in a YAML-encoded hash"),
                einhorn.command("{\"command\":\"config\",\"id\":3,\"args\":[]}"));
    }
}
