package dev.einhorn.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WatchTest {
    @TempDir
    Path dir;

    static String stateJson(int version, int acked, boolean upgrading) {
        return "{\"schema_version\":1,\"master\":{\"pid\":4242,\"cmd_name\":\"app\"},\"pool\":{\"number\":2,"
                + "\"version\":" + version + ",\"acked\":" + acked + ",\"respawn\":true,\"upgrading\":" + upgrading
                + ",\"smooth_upgrade\":true,\"upgrades_completed\":1,\"upgrades_failed\":0,\"respawns\":3},"
                + "\"workers\":[{\"pid\":4301,\"index\":0,\"version\":" + version + ",\"state\":\"acked\","
                + "\"uptime_s\":3725.5,\"ack_latency_s\":0.4123,\"signaled\":[]},"
                + "{\"pid\":4302,\"index\":1,\"version\":0,\"state\":\"signaled\",\"uptime_s\":12.0,"
                + "\"ack_latency_s\":null,\"signaled\":[\"USR2\"]}]}";
    }

    @Test
    void rendersAHeaderAndOneRowPerWorker() {
        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) new org.snakeyaml.engine.v2.api.Load(
                org.snakeyaml.engine.v2.api.LoadSettings.builder().build()).loadFromString(stateJson(1, 1, true));
        String screen = Watch.render(state);
        List<String> lines = screen.lines().toList();
        assertEquals("einhorn master 4242 (app)  version 1  acked 1/2  UPGRADING (smooth)", lines.get(0));
        assertEquals("upgrades: 1 done, 0 failed; respawns: 3", lines.get(1));
        assertTrue(lines.get(3).contains("PID") && lines.get(3).contains("SIGNALED"), lines.get(3));
        assertEquals("    4301     0     1  acked         1h02m    0.41s  -", lines.get(4));
        assertEquals("    4302     1     0  signaled        12s        -  USR2", lines.get(5));
    }

    @Test
    void showsWarmStandbysUnderTheWorkers() {
        String json = stateJson(1, 1, false).replaceFirst("}$", ",\"standbys\":[{\"pid\":4400,\"version\":1,"
                + "\"state\":\"standby\",\"ready_since\":\"2026-01-01T00:00:00Z\"},{\"pid\":4401,\"version\":1,"
                + "\"state\":\"warming\",\"ready_since\":null}]}");
        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) new org.snakeyaml.engine.v2.api.Load(
                org.snakeyaml.engine.v2.api.LoadSettings.builder().build()).loadFromString(json);
        List<String> lines = Watch.render(state).lines().toList();
        assertEquals("    4400     -     1  standby           -        -  -", lines.get(6));
        assertEquals("    4401     -     1  warming           -        -  -", lines.get(7));
    }

    @Test
    void durations() {
        assertEquals("59s", Watch.duration(59.9));
        assertEquals("3m05s", Watch.duration(185));
        assertEquals("2d03h", Watch.duration(2 * 86400 + 3 * 3600 + 5));
        assertEquals("-", Watch.duration(null));
    }

    /** A fake master: answers each state request with the next canned state, then goes away. */
    @Test
    void redrawsOnChangeAndEndsWhenTheMasterGoesAway() throws Exception {
        Path sock = dir.resolve("m.sock");
        List<String> states = List.of(stateJson(0, 2, false), stateJson(0, 2, false), stateJson(1, 1, true));
        AtomicInteger served = new AtomicInteger();
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        Thread master = new Thread(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(4096);
                for (String state : states) {
                    StringBuilder req = new StringBuilder();
                    while (req.indexOf("\n") < 0) {
                        in.clear();
                        if (c.read(in) < 0) return;
                        req.append(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
                    }
                    assertTrue(req.toString().contains("--json") && req.toString().contains("state"), req.toString());
                    String reply = "---\nmessage: '" + state + "'\nrequest_id: 1\n";
                    c.write(ByteBuffer.wrap((reply.replace("%", "%25").replace("\n", "%0A") + "\n")
                            .getBytes(StandardCharsets.UTF_8)));
                    served.incrementAndGet();
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        master.start();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc = Watch.run(sock, new PrintStream(bytes, true, StandardCharsets.UTF_8), Duration.ofMillis(10), 100);
        master.join();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertEquals(3, served.get());
        assertEquals(2, out.split(java.util.regex.Pattern.quote(Watch.CLEAR), -1).length - 1, "two distinct frames: " + out);
        assertTrue(out.contains("UPGRADING (smooth)"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("The einhorn master went away (")), out);
    }

    @Test
    void noMasterIsExitStatusOne() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(1, Watch.run(dir.resolve("none.sock"), new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).startsWith("einhornsh watch: cannot get the state from "));
    }
}
