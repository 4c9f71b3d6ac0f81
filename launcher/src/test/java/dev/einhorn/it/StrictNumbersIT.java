package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers in requests are ASCII digits, range-checked whole, never truncated; replies show what was stored (issue
 * 9: PID + 2^32 ACKed PID, set_workers took "٢", "+2" and " 2", config verbosity 99 replied 99 and stored 2).
 */
@Timeout(120)
class StrictNumbersIT {
    @TempDir
    Path dir;
    EinhornUnderTest einhorn;
    long worker;

    @BeforeEach
    void start() throws Exception {
        // NO_ACK: the worker never ACKs itself, so only the test's ACKs count
        einhorn = EinhornUnderTest.start(dir, Map.of("NO_ACK", "1"), "-n", "1", "-m", "manual", "-b", "127.0.0.1:0",
                "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString());
        einhorn.awaitTrue("a worker", () -> {
            try {
                return einhorn.workerPids().size() == 1;
            } catch (Exception e) {
                return false;
            }
        });
        worker = einhorn.workerPids().get(0);
    }

    @AfterEach
    void stop() throws Exception {
        einhorn.close();
    }

    @SuppressWarnings("unchecked")
    private boolean acked() throws Exception {
        Map<String, Object> w = (Map<String, Object>) ((Map<String, Object>) einhorn.state().get("children"))
                .get(Long.toString(worker));
        return Boolean.TRUE.equals(w.get("acked"));
    }

    private void ack(String pid) throws Exception {
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("{\"command\":\"worker:ack\",\"pid\":" + pid + "}\n");
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void aPidBeyond32BitsIsNeverTruncatedToAWorkersPid() throws Exception {
        String wrapped = Long.toString(worker + (1L << 32));
        ack(wrapped);
        ack("99999999999999999999");
        einhorn.awaitLog("99999999999999999999");
        einhorn.awaitLog(wrapped);
        assertFalse(acked(), "PID + 2^32 is not PID");
        assertFalse(einhorn.logText().contains("1661992959"), "the huge pid was logged truncated");
        ack(Long.toString(worker));
        einhorn.awaitTrue("the real ACK", () -> {
            try {
                return acked();
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void setWorkersTakesOnlyAsciiDigits() throws Exception {
        for (String bad : List.of("\u0662", "+2", " 2", "2 ", "0x2", "2.0", "-2", "99999999999999999999")) {
            String json = "{\"command\":\"set_workers\",\"args\":[\"" + bad + "\"],\"id\":1}";
            assertEquals(List.of("Invalid count: '" + bad + "'. Must be an integer in [1,1000)."), einhorn.command(json),
                    bad);
        }
        assertEquals(1, ((Map<?, ?>) einhorn.state().get("config")).get("number"));
        assertEquals(List.of("Altering worker count, 1 -> 2. Will spin up additional workers."),
                einhorn.command("{\"command\":\"set_workers\",\"args\":[\"2\"],\"id\":1}"));
    }

    @Test
    void configRefusesOutOfRangeValuesAndRepliesWhatItStored() throws Exception {
        assertEquals(List.of("Invalid verbosity: '99'. Must be 0 (debug), 1 (info) or 2 (errors only)."),
                config("{verbosity: 99}"));
        assertEquals(List.of("Invalid count: '4294967298'. Must be an integer in [1,1000)."),
                config("{number: 4294967298}"));
        assertEquals(1, ((Map<?, ?>) einhorn.state().get("config")).get("number"));
        assertEquals(1, ((Number) einhorn.state().get("verbosity")).intValue());
        assertEquals(List.of("Successfully merged in config: {\"verbosity\"=>2, \"number\"=>3}"),
                config("{verbosity: 2, number: 3}"));
        assertEquals(2, ((Number) einhorn.state().get("verbosity")).intValue());
        assertEquals(3, ((Map<?, ?>) einhorn.state().get("config")).get("number"));
    }

    /** Einhorn's inc has no upper bound: 1500 pipelined incs asked for 1501 workers, past set_workers' limit. */
    @Test
    @SuppressWarnings("unchecked")
    void incStopsAtTheWorkerLimit() throws Exception {
        assertEquals(List.of("Altering worker count, 1 -> 998. Will spin up additional workers."),
                einhorn.command("{\"command\":\"set_workers\",\"args\":[\"998\"],\"id\":1}"));
        try (CommandClient c = new CommandClient(einhorn.socket)) {
            c.sendRaw("{\"command\":\"inc\"}\n".repeat(3));
            assertEquals("---%0Amessage: Incrementing number of workers from 998 -> 999%0A", c.readLine());
            for (int i = 0; i < 2; i++) {
                assertEquals("---%0Amessage: Can't increase number of workers (already at 999, the most allowed).%0A",
                        c.readLine());
            }
        }
        einhorn.signal("TTIN");
        assertEquals(List.of("Verbosity set to 2"), einhorn.command("{\"command\":\"quieter\",\"id\":1}"));
        assertEquals(999, ((Map<String, Object>) einhorn.state().get("config")).get("number"), "TTIN did not pass it");
        einhorn.command("{\"command\":\"set_workers\",\"args\":[\"1\"],\"id\":1}");
    }

    private List<String> config(String yaml) throws Exception {
        return einhorn.command("{\"command\":\"config\",\"args\":[\"" + yaml + "\"],\"id\":1}");
    }
}
