package dev.einhorn.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.log.EinhornLog;
import dev.einhorn.pool.FakeHost;
import dev.einhorn.pool.Pool;
import dev.einhorn.pool.PoolSettings;
import dev.einhorn.protocol.Framing;
import dev.einhorn.protocol.Replies;
import dev.einhorn.protocol.Yaml;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each command against a real {@link Pool} (fake workers, fake clock) and a master that records what it is asked
 * to do: the reply a client reads, byte for byte where the wire matters, and what the command changed.
 */
@Timeout(10)
class CommandsTest {
    /** Records every reply line and every request to the master. */
    static final class RecordingMaster implements MasterControl {
        final List<String> sent = new ArrayList<>();
        final List<Connection> closedWhenFlushed = new ArrayList<>();
        final List<Boolean> reexecs = new ArrayList<>();
        final List<String> failedUpgrades = new ArrayList<>();
        final List<Connection> clients = new ArrayList<>();
        final List<Boolean> stateRequests = new ArrayList<>();

        @Override
        public int pid() {
            return 4303;
        }

        @Override
        public String commandName() {
            return null;
        }

        @Override
        public String gracefulSignal() {
            return "USR2";
        }

        @Override
        public void send(Connection client, String framedLine) {
            sent.add(framedLine);
        }

        @Override
        public void closeWhenFlushed(Connection client) {
            closedWhenFlushed.add(client);
        }

        @Override
        public Collection<Connection> clients() {
            return clients;
        }

        @Override
        public String state(boolean json) {
            stateRequests.add(json);
            return json ? "{}\n" : "---\n";
        }

        @Override
        public String metrics() {
            return "einhorn_info 1\n";
        }

        @Override
        public void reexec(boolean forUpgrade) {
            reexecs.add(forUpgrade);
        }

        @Override
        public void upgradeFailed(String reason) {
            failedUpgrades.add(reason);
        }

        /** The last reply, decoded: message, request_id, wait. */
        Map<String, Object> lastReply() throws Exception {
            return Yaml.parseMapping(Framing.decode(sent.get(sent.size() - 1).stripTrailing()));
        }

        String lastMessage() throws Exception {
            return (String) lastReply().get("message");
        }
    }

    private final FakeHost workers = new FakeHost();
    private final RecordingMaster master = new RecordingMaster();
    private final Pool pool = new Pool(new PoolSettings(true, 0, 1, 4, null, null, "USR2", null), 2, workers, workers);
    private final UpgradeQueue upgrades = new UpgradeQueue(master, pool);
    private final Commands commands = new Commands(master, pool, upgrades);
    private final Connection client = new Connection(null, 1, 9);
    private final int verbosityBefore = EinhornLog.verbosity();

    @AfterEach
    void restoreVerbosity() {
        EinhornLog.setVerbosity(verbosityBefore);
    }

    private void request(Map<String, Object> request) {
        commands.onLine(client, Framing.encode(Yaml.dump(request)).stripTrailing());
    }

    private static Map<String, Object> command(String name, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", name);
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    @Test
    void ehloGreetsByNameInEinhornsWordsOnTheWire() {
        request(command("ehlo", "user", "bob", "id", 3));
        assertEquals(List.of("---%0Amessage: |%0A  Welcome, bob! You are speaking to Einhorn Master Process 4303.%0A"
                + "  This is Einhorn 0.8.2.%0Arequest_id: 3%0A\n"), master.sent);
    }

    @Test
    void aRequestWithoutIdGetsOnlyTheMessage() throws Exception {
        request(command("inc"));
        assertEquals(Map.of("message", "Incrementing number of workers from 2 -> 3"), master.lastReply());
        assertEquals(3, pool.number());
    }

    @Test
    void incAndDecChangeTheTargetAndDecStopsAtOne() throws Exception {
        request(command("dec", "id", 1));
        assertEquals("Decrementing number of workers from 2 -> 1", master.lastMessage());
        request(command("dec", "id", 2));
        assertEquals("Can't decrease number of workers (already at 1).  Run kill 4303 if you really want to kill "
                + "einhorn.", master.lastMessage());
        assertEquals(1, pool.number());
    }

    @Test
    void setWorkersTakesOnlyAnAsciiCountBelowAThousand() throws Exception {
        request(command("set_workers", "args", List.of("5")));
        assertEquals("Altering worker count, 2 -> 5. Will spin up additional workers.", master.lastMessage());
        for (String bad : List.of("1000", "0", "-1", "٢", " 3", "abc")) {
            request(command("set_workers", "args", List.of(bad)));
            assertEquals("Invalid count: '" + bad + "'. Must be an integer in [1,1000).", master.lastMessage());
        }
        request(command("set_workers"));
        assertEquals("No args provided", master.lastMessage());
        request(command("set_workers", "args", "5"));
        assertEquals("Args must be an array", master.lastMessage());
        assertEquals(5, pool.number(), "no bad request changed the count");
    }

    @Test
    void signalNormalisesNamesAndSignalsEveryWorker() throws Exception {
        pool.tick(); // spawns workers 100 and 101
        request(command("signal", "args", List.of("sighup", "TERM"), "id", 4));
        assertEquals(List.of("100 HUP", "101 HUP", "100 TERM", "101 TERM"), workers.signalLines());
        assertEquals("\n", master.lastMessage(), "one empty result per signal, joined");
        request(command("signal", "args", List.of("NOPE")));
        assertEquals("Invalid signal: \"NOPE\"", master.lastMessage());
    }

    @Test
    void dieStopsThePoolWithTheGracefulSignal() throws Exception {
        pool.tick();
        request(command("die"));
        assertEquals("No args provided", master.lastMessage());
        assertTrue(pool.respawning());
        request(command("die", "args", List.of()));
        assertEquals("Einhorn is going down! ", master.lastMessage());
        assertFalse(pool.respawning());
        assertEquals(List.of("100 USR2", "101 USR2"), workers.signalLines());
    }

    @Test
    void workerAckAcksTheWorkerAndClosesWithoutAReply() {
        pool.tick();
        request(command("worker:ack", "pid", 100));
        assertTrue(pool.worker(100).acked());
        assertEquals(List.of(), master.sent);
        assertEquals(List.of(client), master.closedWhenFlushed);
    }

    @Test
    void aPidNoProcessCanHaveIsIgnoredNotTruncated() {
        pool.tick();
        request(command("worker:ack", "pid", new java.math.BigInteger("4294967396"))); // 100 + 2^32
        assertFalse(pool.worker(100).acked());
        assertEquals(List.of(client), master.closedWhenFlushed);
    }

    @Test
    void aPingWithAnOverlongRequestIdIsIgnored() {
        pool.tick();
        request(command("worker:ping", "pid", 100, "request_id", "x".repeat(Commands.MAX_KEPT_VALUE_CHARS + 1)));
        assertEquals(null, pool.worker(100).pingedRequestId());
        request(command("worker:ping", "pid", 100, "request_id", "r1"));
        assertEquals("r1", pool.worker(100).pingedRequestId());
    }

    @Test
    void quieterAndLouderMoveTheVerbosityWithinItsBounds() throws Exception {
        EinhornLog.setVerbosity(EinhornLog.INFO);
        request(command("quieter"));
        assertEquals("Verbosity set to 2", master.lastMessage());
        request(command("quieter"));
        assertEquals("Verbosity set to 2", master.lastMessage());
        request(command("louder"));
        request(command("louder"));
        request(command("louder"));
        assertEquals("Verbosity set to 0", master.lastMessage());
    }

    @Test
    void configMergesNumberAndVerbosityAndRefusesOtherKeys() throws Exception {
        request(command("config", "args", List.of("{\":number\": 3}")));
        assertEquals("Successfully merged in config: {\":number\"=>3}", master.lastMessage());
        assertEquals(3, pool.number());
        request(command("config", "args", List.of("{\"backlog\": 3}")));
        assertEquals("Unknown config key \"backlog\" (known: number, verbosity)", master.lastMessage());
        request(command("config", "args", List.of("{\"number\": 1000}")));
        assertEquals("Invalid count: '1000'. Must be an integer in [1,1000).", master.lastMessage());
        assertEquals(3, pool.number());
    }

    @Test
    void stateAndMetricsAnswerWithWhatTheMasterReports() throws Exception {
        request(command("state"));
        assertEquals("---\n", master.lastMessage());
        request(command("state", "args", List.of("--json")));
        assertEquals("{}\n", master.lastMessage());
        assertEquals(List.of(false, true), master.stateRequests);
        request(command("metrics"));
        assertEquals("einhorn_info 1\n", master.lastMessage());
    }

    @Test
    void reloadAnswersThenReExecutes() throws Exception {
        request(command("reload", "id", 1));
        assertEquals("Reloading, as commanded", master.lastMessage());
        assertEquals(List.of(false), master.reexecs);
    }

    @Test
    void anUpgradeStreamsItsFirstLineAndASecondOneIsQueued() throws Exception {
        request(command("upgrade", "id", 3));
        assertEquals(Replies.encode("Upgrading smoothly, as commanded", 3, false), master.sent.get(0));
        assertEquals(List.of(true), master.reexecs);
        assertTrue(client.upgradeSubscribed());
        assertTrue(upgrades.inFlightSmooth());

        Connection second = new Connection(null, 2, 10);
        commands.onLine(second, Framing.encode(Yaml.dump(command("upgrade_fleet", "id", 4))).stripTrailing());
        assertEquals(List.of(Replies.encode("Upgrading smoothly, as commanded", 3, false),
                Replies.encode("Upgrading fleet, as commanded", 4, false), Replies.encode(UpgradeQueue.QUEUED, 4, false)),
                master.sent);
        assertEquals(List.of(true), master.reexecs, "the second waits for the first");
        assertTrue(second.upgradeQueued());

        master.clients.addAll(List.of(client, second));
        upgrades.finished();
        upgrades.tick();
        assertEquals(List.of(true, true), master.reexecs, "the queued upgrade starts once the first has ended");
        assertFalse(upgrades.inFlightSmooth(), "the queued one was a fleet upgrade");
        assertFalse(second.upgradeQueued());
    }

    @Test
    void anUpgradeWhoseIdCannotBeKeptIsRefusedAndNothingIsKeptOrStarted() throws Exception {
        String longId = "x".repeat(Commands.MAX_KEPT_VALUE_CHARS + 1);
        request(command("upgrade", "id", longId));
        assertEquals("Upgrade refused: an upgrade's id is kept until the upgrade ends and may be at most 1024 "
                + "characters (this one: 1025)", master.lastMessage());
        request(command("upgrade_fleet", "id", List.of(1, 2)));
        assertEquals("Upgrade refused: an upgrade's id must be a scalar, not a Array", master.lastMessage());
        assertEquals(List.of(), master.reexecs, "neither started an upgrade");
        assertFalse(client.upgradeSubscribed());
        assertFalse(client.upgradeQueued());
        request(command("upgrade", "id", "x".repeat(Commands.MAX_KEPT_VALUE_CHARS)));
        assertEquals(List.of(true), master.reexecs, "an id at the bound is kept");
    }

    @Test
    void setWorkersQuotesABadArgumentAsRubyDoesUnlessItIsLongOrHasControlCharacters() throws Exception {
        request(command("set_workers", "args", List.of("\u001b[2J" + "A".repeat(1_000_000))));
        assertEquals("Invalid count: '\"\\e[2J" + "A".repeat(196) + "\"... (1000004 bytes)'. Must be an integer in "
                + "[1,1000).", master.lastMessage());
    }

    @Test
    void anUpgradeWithoutIdGetsOneLastReply() throws Exception {
        request(command("upgrade_fleet"));
        assertEquals(Map.of("message", "Upgrading fleet, as commanded"), master.lastReply());
        assertFalse(client.upgradeSubscribed());
    }

    @Test
    void noUpgradeOnceStopping() throws Exception {
        pool.stop("TERM");
        request(command("upgrade", "id", 5));
        assertEquals("Upgrade failed: einhorn is shutting down", master.lastMessage());
        assertEquals(List.of(), master.reexecs);
    }

    @Test
    void badRequestsGetEinhornsAnswers() throws Exception {
        commands.onLine(client, "not yaml: [");
        assertEquals("Could not parse command", master.lastMessage());
        request(Map.of("id", 1));
        assertEquals("No \"command\" parameter provided; not sure what you want me to do.", master.lastMessage());
        request(command("frobnicate"));
        assertTrue(master.lastMessage().startsWith("Unrecognized command: \"frobnicate\"\n\nconfig: Merge in"),
                master.lastMessage());
    }

    @Test
    void anUnknownCommandIsQuotedBoundedAndEscaped() throws Exception {
        request(command("\u001b[31m" + "x".repeat(100_000)));
        String expected = "Unrecognized command: \"\\e[31m" + "x".repeat(195) + "\"... (100005 bytes)\n\nconfig: Merge in";
        assertTrue(master.lastMessage().startsWith(expected), master.lastMessage());
        request(command("signal", "args", List.of("NOPE\r\n" + "y".repeat(300))));
        assertEquals("Invalid signal: \"NOPE\\r\\n" + "Y".repeat(194) + "\"... (306 bytes)", master.lastMessage());
    }
}
