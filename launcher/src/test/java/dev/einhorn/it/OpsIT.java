package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** UNIX-domain -b sockets, the JSON state against its schema, and the metrics text, on the real master. */
@Timeout(120)
class OpsIT {
    @TempDir
    Path dir;

    static String askUnix(Path socket) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new String(readAll(ch), StandardCharsets.UTF_8).trim();
        }
    }

    private static byte[] readAll(SocketChannel ch) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (ch.read(b) >= 0) {
            out.write(b.array(), 0, b.position());
            b.clear();
        }
        return out.toByteArray();
    }

    @Test
    void aUnixSocketServesPythonWorkersWithItsModeAndIsRemovedAtExit() throws Exception {
        Path sock = dir.resolve("app.sock");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-n", "2", "-b", "./app.sock,mode=0660", "-m", "manual",
                "python3", EinhornUnderTest.WORKERS.resolve("env_server.py").toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(2);
            String answer = askUnix(sock);
            assertTrue(answer.contains("EINHORN_FD_FAMILY_0=AF_UNIX"), answer);
            long pid = Long.parseLong(answer.lines().findFirst().orElseThrow().substring("pid=".length()));
            assertTrue(pids.contains(pid), answer);
            assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(sock)));
            einhorn.signal("TERM");
            assertEquals(0, einhorn.awaitExit());
            assertFalse(Files.exists(sock, java.nio.file.LinkOption.NOFOLLOW_LINKS), "removed at exit");
        }
    }

    @Test
    void aStaleSocketIsReplacedALiveOneAndANonSocketAreRefused() throws Exception {
        Path sock = dir.resolve("stale.sock");
        ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        old.bind(UnixDomainSocketAddress.of(sock));
        // a live listener: refused
        EinhornUnderTest.Result live = EinhornUnderTest.run(dir, "-d", dir.resolve("c1.sock").toString(), "-e",
                dir.resolve("p1.pid").toString(), "-f", dir.resolve("l1.lock").toString(), "-b", sock.toString(),
                "python3", "-c", "pass");
        assertEquals(1, live.exitCode(), live.stderr());
        assertTrue(live.stderr().contains("einhorn: Could not bind " + sock + ": another process is listening on "
                + sock + "\n"), live.stderr());
        old.close(); // the file stays: now stale
        assertTrue(Files.exists(sock, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-n", "1", "-b", sock.toString(), "-m", "manual",
                "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            assertEquals(Long.toString(pids.get(0)), askUnix(sock));
            assertTrue(einhorn.logText().contains("Removing stale socket " + sock), einhorn.logText());
        }

        Path file = Files.writeString(dir.resolve("not-a-socket"), "precious");
        EinhornUnderTest.Result refused = EinhornUnderTest.run(dir, "-d", dir.resolve("c2.sock").toString(), "-e",
                dir.resolve("p2.pid").toString(), "-f", dir.resolve("l2.lock").toString(), "-b", "./not-a-socket",
                "python3", "-c", "pass");
        assertEquals(1, refused.exitCode(), refused.stderr());
        List<String> errors = refused.stderr().lines().filter(l -> l.startsWith("einhorn:")).toList();
        assertEquals(List.of("einhorn: Could not bind ./not-a-socket: " + file
                + " exists and is not a socket; remove it or choose another path"), errors, refused.stderr());
        assertEquals("precious", Files.readString(file), "never deleted");
    }

    @Test
    void badUnixBindSpecsAreOneLineErrors() throws Exception {
        EinhornUnderTest.Result r = EinhornUnderTest.run(dir, "-b", "/tmp/x.sock,mode=999", "python3");
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("mode must be octal permission bits"), r.stderr());
        r = EinhornUnderTest.run(dir, "-b", "/tmp/x.sock,r", "python3");
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("unknown flag for a UNIX socket"), r.stderr());
    }

    @Test
    void jsonStateValidatesAgainstTheDocumentedSchemaAndMetricsParse() throws Exception {
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-n", "2", "-b", "127.0.0.1:0", "-b", "./u.sock",
                "-m", "manual", "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(2);
            String json = einhorn.command("{\"command\":\"state\",\"id\":1,\"args\":[\"--json\"]}").get(0);
            JsonNode state = new ObjectMapper().readTree(json);
            Set<ValidationMessage> errors = schema().validate(state);
            assertTrue(errors.isEmpty(), errors + "\n" + json);
            assertEquals(1, state.get("schema_version").asInt());
            assertEquals(2, state.get("workers").size());
            assertEquals(pids.get(0).longValue(), state.get("workers").get(0).get("pid").asLong());
            assertEquals("acked", state.get("workers").get(0).get("state").asText());
            assertEquals("AF_UNIX", state.get("listeners").get(1).get("family").asText());
            assertTrue(state.get("workers").get(0).get("ack_latency_s").asDouble() > 0);

            // the YAML state still works, with the UNIX socket's path where Einhorn has a host
            assertEquals(2, ((Map<?, ?>) einhorn.state().get("children")).size());

            einhorn.command("{\"command\":\"upgrade\",\"id\":2}");
            EinhornUnderTest.signal(einhorn.awaitAckedWorkers(2).get(0), "KILL");
            einhorn.awaitTrue("a respawn", () -> {
                try {
                    return metrics(einhorn).get("einhorn_respawns_total").equals(1.0);
                } catch (IOException e) {
                    return false;
                }
            });
            Map<String, Double> m = metrics(einhorn);
            assertEquals(1.0, m.get("einhorn_upgrades_completed_total"));
            assertEquals(0.0, m.get("einhorn_upgrades_failed_total"));
            assertEquals(2.0, m.get("einhorn_workers_target"));
            assertEquals(1.0, m.get("einhorn_version"));
            assertTrue(m.get("einhorn_ack_latency_seconds_count") >= 4, m.toString());
            assertEquals(m.get("einhorn_ack_latency_seconds_count"),
                    m.get("einhorn_ack_latency_seconds_bucket{le=\"+Inf\"}"));
            JsonNode after = new ObjectMapper().readTree(
                    einhorn.command("{\"command\":\"state\",\"id\":3,\"args\":[\"--json\"]}").get(0));
            assertTrue(schema().validate(after).isEmpty());
            assertEquals(1, after.get("pool").get("upgrades_completed").asInt());
        }
    }

    static JsonSchema schema() throws IOException {
        try (InputStream in = Files.newInputStream(EinhornUnderTest.REPO.resolve("docs/state-schema.json"))) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")"
                    + "(,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*\\})? "
                    + "(-?[0-9.]+(?:[eE][-+]?[0-9]+)?|[+-]Inf|NaN)");

    /**
     * Parses the metrics reply as Prometheus text: every line is a HELP/TYPE comment or {@code name{labels} value};
     * returns value by "name{labels}".
     */
    static Map<String, Double> metrics(EinhornUnderTest einhorn) throws IOException {
        String text = einhorn.command("{\"command\":\"metrics\",\"id\":9}").get(0);
        assertTrue(text.endsWith("\n"));
        Map<String, Double> out = new HashMap<>();
        Set<String> typed = new java.util.HashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                assertTrue(COMMENT.matcher(line).matches(), "bad comment line: " + line);
                if (line.startsWith("# TYPE ")) {
                    String[] f = line.split(" ");
                    assertTrue(Set.of("gauge", "counter", "histogram", "summary", "untyped").contains(f[3]), line);
                    assertTrue(typed.add(f[2]), "one TYPE per metric: " + line);
                }
                continue;
            }
            var m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "bad sample line: " + line);
            String name = m.group(1);
            String family = name.replaceFirst("_(bucket|sum|count)$", "");
            assertTrue(typed.contains(name) || typed.contains(family), "sample before its TYPE: " + line);
            out.put(line.substring(0, line.lastIndexOf(' ')), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)
                    .replace("+Inf", "Infinity")));
        }
        return out;
    }
}
