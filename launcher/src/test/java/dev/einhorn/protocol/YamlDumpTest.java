package dev.einhorn.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Psych's {@code YAML.dump} styling, scalar by scalar (expected values are Psych 4 / libyaml 0.2.5 output). */
class YamlDumpTest {
    static Stream<Arguments> scalarStyles() {
        return Stream.of(
                arguments("plain words", "plain words"),
                arguments("Sending USR2 to [4656]", "Sending USR2 to [4656]"),
                arguments("123", "'123'"),
                arguments("1.5", "'1.5'"),
                arguments("yes", "'yes'"),
                arguments("No", "'No'"),
                arguments("null", "'null'"),
                arguments("true", "'true'"),
                arguments("y", "\"y\""),
                arguments("~", "\"~\""),
                arguments("-1", "\"-1\""),
                arguments(":sym", "\":sym\""),
                arguments("sym:bol", "sym:bol"),
                arguments("09", "'09'"),
                arguments("1e5", "'1e5'"),
                arguments("2020-01-02", "'2020-01-02'"),
                arguments("a: b", "'a: b'"),
                arguments("trailing ", "'trailing '"),
                arguments(" leading", "\" leading\""),
                arguments("#comment", "\"#comment\""),
                arguments("\"quoted\" word", "'\"quoted\" word'"),
                arguments("- item", "\"- item\""),
                arguments("a #b", "'a #b'"),
                arguments("a#b", "a#b"),
                arguments("it's", "it's"),
                arguments("tab\there", "\"tab\\there\""),
                arguments("caf\u00e9 \u00fcber", "caf\u00e9 \u00fcber"),
                arguments("smile \ud83d\ude00", "\"smile \\U0001F600\""),
                arguments("bell\u0007", "\"bell\\a\""));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void scalarStyles(String value, String expected) {
        assertEquals("---\nk: " + expected + "\n", Yaml.dump(Map.of("k", value)));
    }

    @Test
    void literalBlocksAndChompingIndicators() {
        assertEquals("---\nk: |-\n  a\n  b\n", Yaml.dump(Map.of("k", "a\nb")));
        assertEquals("---\nk: |\n  a\n\n  b\n", Yaml.dump(Map.of("k", "a\n\nb\n")));
        assertEquals("---\nk: |+\n  a\n  b\n\nz: 1\n", Yaml.dump(map("k", "a\nb\n\n", "z", 1)));
        assertEquals("---\nk: |2-\n   a\n  b\n", Yaml.dump(Map.of("k", " a\nb")));
        assertEquals("---\nk: \"a \\nb\"\n", Yaml.dump(Map.of("k", "a \nb")));
    }

    @Test
    void singleLineWithTrailingNewlineIsSingleQuotedLikePsych4() {
        assertEquals("---\nk: 'a\n\n  '\n", Yaml.dump(Map.of("k", "a\n")));
    }

    @Test
    void longPlainScalarsFoldAtEightyColumns() {
        String message = "Can't decrease number of workers (already at 1).  Run kill 4368 if you really want to kill einhorn.";
        assertEquals("---\nmessage: Can't decrease number of workers (already at 1).  Run kill 4368 if you really\n"
                + "  want to kill einhorn.\n", Yaml.dump(Map.of("message", message)));
    }

    @Test
    void nonStringScalars() {
        assertEquals("---\na: 1\nb: 99999999999\nc: true\nd:\ne: 1.0\nf: 0.1\ng: 1.0e+20\nh: :worker\n",
                Yaml.dump(map("a", 1, "b", 99999999999L, "c", true, "d", null, "e", 1.0, "f", 0.1, "g", 1e20,
                        "h", new RubySymbol("worker"))));
    }

    /**
     * The loader reads integers past 2^63 as BigInteger; a request's id is echoed back, as Psych writes a bignum
     * (before, such an id, {"command":"ehlo","id":99999999999999999999}, got no reply: it could not be written).
     */
    @Test
    void bigIntegersArePlainDigits() {
        assertEquals("---\nrequest_id: 99999999999999999999\nbig: -123456789012345678901234567890\n",
                Yaml.dump(map("request_id", new java.math.BigInteger("99999999999999999999"),
                        "big", new java.math.BigInteger("-123456789012345678901234567890"))));
    }

    @Test
    void collections() {
        assertEquals("---\na: {}\nb: []\nc:\n- x\n- - v\n  - z\nd:\n  e: f\ng:\n- h: i\n  j: k\n",
                Yaml.dump(map("a", Map.of(), "b", List.of(), "c", List.of("x", List.of("v", "z")),
                        "d", Map.of("e", "f"), "g", List.of(map("h", "i", "j", "k")))));
        assertEquals("---\n- a\n- 1\n", Yaml.dump(List.of("a", 1)));
        assertEquals("--- foo\n", Yaml.dump("foo"));
    }

    @Test
    void stateDumpWithSymbolKeysAndTimestamps() {
        OffsetDateTime spinup = OffsetDateTime.of(2026, 11, 23, 23, 12, 40, 755845814, ZoneOffset.UTC);
        Map<String, Object> child = map("type", new RubySymbol("worker"), "version", 0, "acked", true,
                "signaled", List.of(), "last_signaled_at", null, "index", 0, "spinup_time", spinup);
        Map<Object, Object> children = new LinkedHashMap<>();
        children.put(4304, child);
        children.put(4305, map("signaled", List.of("USR2"), "pinged_at", Instant.parse("2026-11-23T23:12:41.5Z")));
        Map<String, Object> state = map("children", children,
                "config", map("number", 2, "backlog", 100, "seconds", 1),
                "bind", List.of(List.of("127.0.0.1", 0, List.of("r"))),
                "bind_fds", List.of(7),
                "ack_mode", map("type", new RubySymbol("manual")));
        assertEquals("""
                ---
                :state:
                  :children:
                    4304:
                      :type: :worker
                      :version: 0
                      :acked: true
                      :signaled: []
                      :last_signaled_at:
                      :index: 0
                      :spinup_time: 2026-11-23 23:12:40.755845814 +00:00
                    4305:
                      :signaled:
                      - USR2
                      :pinged_at: 2026-11-23 23:12:41.500000000 Z
                  :config:
                    :number: 2
                    :backlog: 100
                    :seconds: 1
                  :bind:
                  - - 127.0.0.1
                    - 0
                    - - r
                  :bind_fds:
                  - 7
                  :ack_mode:
                    :type: :manual
                """, Yaml.dumpWithSymbolKeys(Map.of("state", state)));
    }

    @Test
    void rejectsWhatItCannotWrite() {
        assertThrows(IllegalArgumentException.class, () -> Yaml.dump(Map.of("k", new Object())));
        assertThrows(IllegalArgumentException.class, () -> Yaml.dump(Map.of("a\nb", 1)));
        assertThrows(IllegalArgumentException.class, () -> new RubySymbol("a b"));
    }

    @SuppressWarnings("unchecked")
    static <V> Map<String, V> map(Object... kv) {
        Map<String, V> m = new LinkedHashMap<>();
        List<Object> l = new ArrayList<>(Arrays.asList(kv));
        for (int i = 0; i < l.size(); i += 2) m.put((String) l.get(i), (V) l.get(i + 1));
        return m;
    }
}
