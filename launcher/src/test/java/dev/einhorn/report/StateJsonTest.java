package dev.einhorn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code state --json} for pools of fake workers: valid against docs/state-schema.json (what {@code einhornsh watch}
 * and scripts rely on), with each worker's state, uptime and preload facts as a user reads them.
 */
class StateJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws Exception {
        Path repo = Path.of(System.getProperty("einhorn.repo", "..")).toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(repo.resolve("docs/state-schema.json"))) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    /** The reply at monotonic time {@code now}, checked against the schema. */
    private static JsonNode json(ReportedMaster m) throws Exception {
        String text = Json.write(StateJson.state(m, m.host.now));
        JsonNode node = JSON.readTree(text);
        var errors = schema.validate(node);
        assertTrue(errors.isEmpty(), errors + " in " + text);
        return node;
    }

    private static List<String> states(JsonNode j) {
        List<String> out = new ArrayList<>();
        j.get("workers").forEach(w -> out.add(w.get("pid").asInt() + " " + w.get("state").asText()));
        return out;
    }

    @Test
    void aPlainPoolIsValidAndSaysWhoItIs() throws Exception {
        ReportedMaster m = new ReportedMaster("-n", "2", "-m", "manual", "-c", "shop", "--", "python3", "worker.py")
                .started();
        m.pool.manualAck(100);
        JsonNode j = json(m);
        assertEquals(StateJson.SCHEMA_VERSION, j.get("schema_version").asInt());
        assertEquals(4242, j.get("master").get("pid").asInt());
        assertEquals("shop", j.get("master").get("cmd_name").asText());
        assertEquals("[\"/usr/bin/python3\",\"worker.py\"]", j.get("master").get("command").toString());
        assertEquals(2, j.get("pool").get("number").asInt());
        assertEquals(1, j.get("pool").get("acked").asInt());
        assertEquals("manual", j.get("pool").get("ack_mode").get("type").asText());
        assertTrue(j.get("pool").get("ack_mode").get("timeout").isNull());
        assertTrue(j.get("preload").isNull(), "null without -p");
        assertEquals(List.of("100 acked", "101 unacked"), states(j));
    }

    @Test
    void aWorkersTimesAreItsSpawnItsAckLatencyAndItsUptime() throws Exception {
        ReportedMaster m = new ReportedMaster("-n", "1", "-m", "manual", "--", "./w").started();
        m.host.now = 1000.5;
        m.pool.manualAck(100);
        m.host.now = 1060;
        JsonNode w = json(m).get("workers").get(0);
        assertEquals("1970-01-01T00:16:40Z", w.get("spawned_at").asText());
        assertEquals(0.5, w.get("ack_latency_s").asDouble());
        assertEquals(60.0, w.get("uptime_s").asDouble());
    }

    @Test
    void duringAnUpgradeTheOldVersionIsOldAndTheNewOneAckedOrNot() throws Exception {
        ReportedMaster m = new ReportedMaster("-n", "2", "-m", "manual", "--", "./w").started();
        m.pool.manualAck(100);
        m.pool.upgrade(false);
        m.pool.manualAck(102);
        JsonNode j = json(m);
        assertEquals(List.of("100 old", "101 old", "102 acked", "103 unacked"), states(j));
        assertTrue(j.get("pool").get("upgrading").asBoolean());
        assertEquals(1, j.get("pool").get("version").asInt());
    }

    @Test
    void aStoppedWorkerIsSignaledWithItsSignals() throws Exception {
        ReportedMaster m = new ReportedMaster("-n", "2", "-m", "manual", "--", "./w").started();
        m.pool.manualAck(100);
        m.pool.setNumber(1);
        m.pool.tick();
        JsonNode j = json(m);
        assertEquals(List.of("100 acked", "101 signaled"), states(j));
        assertEquals("[\"USR2\"]", j.get("workers").get(1).get("signaled").toString());
    }

    @Test
    void theReplyIsOneLineOfValidJson() throws Exception {
        String reply = StateJson.json(new ReportedMaster("--", "./w").started());
        assertTrue(reply.endsWith("}\n") && reply.indexOf('\n') == reply.length() - 1, reply);
        assertTrue(schema.validate(JSON.readTree(reply)).isEmpty());
    }

    @Test
    void aTimerPoolShowsItsTimeout() throws Exception {
        JsonNode ack = json(new ReportedMaster("-m", "2.5", "--", "./w").started()).get("pool").get("ack_mode");
        assertEquals("timer", ack.get("type").asText());
        assertEquals(2.5, ack.get("timeout").asDouble());
    }

    @Test
    void anyPingIdIsAString() throws Exception {
        ReportedMaster m = new ReportedMaster("-n", "2", "-m", "manual", "--", "./w").started();
        m.pool.ping(100, 7);
        m.pool.ping(101, List.of("a", 1));
        JsonNode j = json(m);
        assertEquals("7", j.get("workers").get(0).get("pinged_request_id").asText());
        assertEquals("1970-01-01T00:16:41Z", j.get("workers").get(0).get("pinged_at").asText());
        assertTrue(j.get("workers").get(1).get("pinged_request_id").isTextual());
    }

    @Test
    void aUnixListenerHasAPathAndNoPort() throws Exception {
        JsonNode ls = json(new ReportedMaster("--", "./w").started()).get("listeners");
        assertEquals("127.0.0.1:8080", ls.get(0).get("address").asText());
        assertEquals(8080, ls.get(0).get("port").asInt());
        assertEquals("[\"r\"]", ls.get(0).get("flags").toString());
        assertEquals("AF_UNIX", ls.get(1).get("family").asText());
        assertTrue(ls.get(1).get("port").isNull());
        assertEquals("/tmp/app.sock", ls.get(1).get("path").asText());
        assertEquals(1, ls.get(1).get("index").asInt());
    }

    @Test
    void aPreloadedPoolWithStandbysIsValid() throws Exception {
        ReportedMaster m = new ReportedMaster("-n", "2", "-m", "manual", "--", "./w").started();
        m.preloaded(100, Path.of("/cache/app-1-k.aot"), 30000, 20000);
        m.host.standbysPossible = true;
        m.pool.setStandbyTarget(2);
        m.pool.tick();
        m.pool.standbyReady(102);
        m.preloaded(102, Path.of("/cache/app-1-k.aot"), 25000, 21000);
        JsonNode j = json(m);
        JsonNode w = j.get("workers").get(0);
        assertEquals("/cache/app-1-k.aot", w.get("archive").asText());
        assertEquals(30000, w.get("pss_kb").asInt());
        assertEquals(20000, w.get("shared_kb").asInt());
        assertTrue(w.get("archive_mapped").asBoolean());
        assertTrue(j.get("workers").get(1).get("archive").isNull());
        assertEquals(List.of("102 standby", "103 warming"), List.of(
                j.get("standbys").get(0).get("pid").asInt() + " " + j.get("standbys").get(0).get("state").asText(),
                j.get("standbys").get(1).get("pid").asInt() + " " + j.get("standbys").get(1).get("state").asText()));
        assertEquals(21000, j.get("standbys").get(0).get("shared_kb").asInt());
        assertTrue(j.get("standbys").get(1).get("archive").isNull());
        assertTrue(j.get("preload").get("archive_ready").asBoolean());
        assertEquals(2, j.get("pool").get("standbys_started").asInt());
    }

    @Test
    void stringsThatBreakNaiveJsonComeBackIntact() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        String nasty = "quote\" backslash\\ newline\n tab\t nul\0 del\u007f sep\u2028 é ✓";
        m.put(nasty, List.of(nasty, 1, 2.5, 3.0, true));
        m.put("nan", Double.NaN);
        m.put("none", null);
        JsonNode back = JSON.readTree(Json.write(m));
        assertEquals(nasty, back.get(nasty).get(0).asText());
        assertEquals("[1,2.5,3.0,true]", JSON.writeValueAsString(List.of(back.get(nasty).get(1),
                back.get(nasty).get(2), back.get(nasty).get(3), back.get(nasty).get(4))));
        assertTrue(back.get("nan").isNull(), "NaN is not JSON");
        assertTrue(back.get("none").isNull());
        assertTrue(!Json.write(nasty).contains("\u2028"), "U+2028 escaped for JavaScript readers");
    }
}
