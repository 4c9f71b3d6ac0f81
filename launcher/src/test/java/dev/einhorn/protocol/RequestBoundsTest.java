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
