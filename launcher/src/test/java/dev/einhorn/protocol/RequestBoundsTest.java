package dev.einhorn.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What bounds the work of one request: no aliases in, no unbounded reply out. */
class RequestBoundsTest {
    @Test
    void everyAliasIsRefusedWhereverItPoints() {
        for (String doc : new String[] {"{a: &x 1, b: *x}", "a: &x [1, 2]\nb: *x\n", "[&x {k: v}, *x]",
                "{\"a0\": &a0 \"x\", \"command\": \"ehlo\", \"user\": *a0}"}) {
            ParseException e = assertThrows(ParseException.class, () -> Yaml.parse(doc), doc);
            assertEquals(Yaml.ALIASES_REFUSED, e.getMessage(), doc);
        }
    }

    @Test
    void anAnchorWithoutAliasIsAcceptedAsPsychDoes() throws Exception {
        assertEquals(Map.of("command", "ehlo", "user", "me"), Yaml.parseMapping("{command: ehlo, user: &u me}"));
    }

    /** Found by ProtocolFuzzIT: 60,000 nested lists held the master's loop for minutes before this bound. */
    @Test
    void nestingDeeperThanTheBoundIsRefused() throws Exception {
        for (String doc : new String[] {"[".repeat(60_000), "[".repeat(101) + "]".repeat(101),
                "{\"command\":\"ehlo\",\"user\":" + "{\"a\": ".repeat(101) + "1" + "}".repeat(101) + "}",
                "command: ehlo\nuser:\n" + "- ".repeat(101) + "x\n"}) {
            ParseException e = assertThrows(ParseException.class, () -> Yaml.parse(doc), doc.substring(0, 40));
            assertEquals("YAML nested deeper than 100", e.getMessage());
        }
        assertEquals(Map.of("command", "ehlo", "user", nested(99)),
                Yaml.parseMapping("{command: ehlo, user: " + "[".repeat(99) + "]".repeat(99) + "}"));
    }

    private static Object nested(int depth) {
        Object v = java.util.List.of();
        for (int i = 1; i < depth; i++) v = java.util.List.of(v);
        return v;
    }

    /** Found by ProtocolFuzzIT: an id of a million digits held the master's loop for 48 s before this bound. */
    @Test
    void integersLongerThanTheBoundAreRefused() throws Exception {
        for (String n : new String[] {"9".repeat(1001), "-" + "9".repeat(1000), "0x" + "f".repeat(999),
                "9".repeat(1_000_000 - 64), "!!int \"" + "9".repeat(1001) + "\""}) {
            ParseException e = assertThrows(ParseException.class, () -> Yaml.parse("{command: help, id: " + n + "}"));
            assertEquals("integer longer than 1000 characters", e.getMessage());
        }
        assertEquals(new java.math.BigInteger("9".repeat(1000)), Yaml.parseMapping("{id: " + "9".repeat(1000) + "}").get("id"));
        assertEquals("9".repeat(5000), Yaml.parseMapping("{id: \"" + "9".repeat(5000) + "\"}").get("id"), "a string");
        // Words made of hex letters are strings, not integers: an upgrade id of 600,000 "a"s, written plain into
        // the hand-over, was refused by the next image (BadInputIT.upgradesWithMegabyteIdsSurviveTheReexec).
        assertEquals("a".repeat(5000), Yaml.parseMapping("{id: " + "a".repeat(5000) + "}").get("id"));
        assertEquals("dead".repeat(500), Yaml.parseMapping("{id: " + "dead".repeat(500) + "}").get("id"));
    }

    @Test
    void aReplyOverTheLimitIsReplacedByOneThatSaysSoBeforeAnyYamlIsBuilt() {
        String huge = "x".repeat(Replies.MAX_MESSAGE_CHARS + 1);
        String line = Replies.encode(huge, 7, true);
        assertTrue(line.length() < 300, line);
        assertTrue(line.contains("Reply too large: " + (Replies.MAX_MESSAGE_CHARS + 1) + " characters"), line);
        assertTrue(line.contains("request_id: 7"), line);
    }

    @Test
    void aReplyAtTheLimitIsSentWhole() {
        String big = "x".repeat(Replies.MAX_MESSAGE_CHARS);
        assertTrue(Replies.encode(big, null, true).contains(big));
    }
}
