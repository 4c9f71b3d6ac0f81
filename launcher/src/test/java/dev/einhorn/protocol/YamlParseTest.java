package dev.einhorn.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class YamlParseTest {
    @Test
    void readsEinhornshBlockRequest() throws ParseException {
        Map<String, Object> r = Yaml.parseMapping("---\nid: 1\ncommand: inc\nargs: []\n");
        assertEquals(Map.of("id", 1, "command", "inc", "args", List.of()), r);
        assertEquals(List.of("id", "command", "args"), List.copyOf(r.keySet()));
    }

    @Test
    void readsJsonAndFlowRequests() throws ParseException {
        assertEquals(Map.of("command", "worker:ack", "pid", 1234),
                Yaml.parseMapping("{\"command\":\"worker:ack\", \"pid\":1234}"));
        assertEquals(Map.of("command", "worker:ack", "pid", 1234),
                Yaml.parseMapping("{\"command\": \"worker:ack\", \"pid\": 1234}"));
        assertEquals(Map.of("command", "signal", "id", 16, "args", List.of("cont", "SIGWINCH")),
                Yaml.parseMapping("{command: signal, id: 16, args: [cont, SIGWINCH]}"));
        assertEquals(Map.of("command", "worker:ack", "pid", 5382),
                Yaml.parseMapping("command: worker:ack\npid: 5382\n"));
    }

    @Test
    void keepsScalarTypes() throws ParseException {
        Map<String, Object> r = Yaml.parseMapping("{\"pid\": \"1234\", \"n\": 1234, \"big\": 99999999999, \"w\": true, \"x\": null}");
        assertEquals("1234", r.get("pid"));
        assertEquals(1234, r.get("n"));
        assertEquals(99999999999L, r.get("big"));
        assertEquals(true, r.get("w"));
        assertNull(r.get("x"));
    }

    @Test
    void keysBecomeStrings() throws ParseException {
        assertEquals(Map.of("1", "a", "true", "b"), Yaml.parseMapping("1: a\ntrue: b\n"));
    }

    @Test
    void duplicateKeysKeepTheLastValueLikePsych() throws ParseException {
        assertEquals(Map.of("command", "dec"), Yaml.parseMapping("{command: inc, command: dec}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage: [", "[1,2]", "just a string", "", "42", "{\"command\": ", "- a\n- b\n"})
    void rejectsNonMappingsAndInvalidYaml(String line) {
        assertThrows(ParseException.class, () -> Yaml.parseMapping(line));
    }

    @Test
    void unknownTagsAreLoadedAsTheirPlainValue() throws ParseException {
        Map<String, Object> r = Yaml.parseMapping(
                "---\ncommand: !ruby/string inc\nset: !ruby/object:Set\n  hash: {}\nlist: !foo [a]\n");
        assertEquals("inc", r.get("command"));
        assertEquals(Map.of("hash", Map.of()), r.get("set"));
        assertEquals(List.of("a"), r.get("list"));
    }

    /** A byte[] or a Set could not be shown in state nor handed over; they are read as their plain value. */
    @Test
    void binaryAndSetTagsAreLoadedAsTheirPlainValue() throws ParseException {
        Map<String, Object> r = Yaml.parseMapping("{\"b\": !!binary \"aGk=\", \"s\": !!set {a, b}}");
        assertEquals("aGk=", r.get("b"));
        java.util.Map<String, Object> set = new java.util.LinkedHashMap<>();
        set.put("a", null);
        set.put("b", null);
        assertEquals(set, r.get("s"));
    }

    @Test
    void standardTagsStillApply() throws ParseException {
        assertEquals(Map.of("pid", "12"), Yaml.parseMapping("pid: !!str 12"));
    }

    @Test
    void aliasBombsAreRejected() {
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            char p = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p)
                    .append(", *").append(p).append(", *").append(p).append(", *").append(p)
                    .append(", *").append(p).append(", *").append(p).append(", *").append(p).append("]\n");
        }
        assertThrows(ParseException.class, () -> Yaml.parseMapping(bomb.toString()));
    }

    @Test
    void deepNestingIsAParseErrorNotACrash() {
        String deep = "a: " + "[".repeat(200_000) + "]".repeat(200_000);
        assertThrows(ParseException.class, () -> Yaml.parseMapping(deep));
    }

    @Test
    void parseOfAnythingForConfigAndReplies() throws ParseException {
        assertInstanceOf(List.class, Yaml.parse("[1, 2]"));
        assertNull(Yaml.parse(""));
    }
}
