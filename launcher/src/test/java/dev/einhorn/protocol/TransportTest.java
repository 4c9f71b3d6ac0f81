package dev.einhorn.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Einhorn 0.8.2's test/unit/einhorn/client.rb (docs/COMPATIBILITY.md#framing), against Framing + Yaml. */
class TransportTest {
    private static final Map<String, Object> FOO = Map.of(":foo", List.of("%bar", "%baz"));

    @Test
    void serialisesLikePsych21() {
        assertEquals("---%0A:foo:%0A- \"%25bar\"%0A- \"%25baz\"%0A\n",
                Framing.encode(Yaml.dumpWithSymbolKeys(Map.of("foo", List.of("%bar", "%baz")))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--- %0A:foo: %0A- \"%25bar\"%0A- \"%25baz\"%0A\n", // Psych 1.8
        "---%0A:foo:%0A- ! '%25bar'%0A- ! '%25baz'%0A\n", // Psych 1.9
        "---%0A:foo:%0A- '%25bar'%0A- '%25baz'%0A\n", // Psych 2.0
        "---%0A:foo:%0A- \"%25bar\"%0A- \"%25baz\"%0A\n", // Psych 2.1
    })
    void deserialisesEveryPsychVariant(String line) throws ParseException {
        assertEquals(FOO, Yaml.parseMapping(Framing.decode(line.substring(0, line.length() - 1))));
    }

    @Test
    void invalidYamlIsAParseError() {
        assertThrows(ParseException.class, () -> Yaml.parse(Framing.decode("-%0A\t-")));
    }

    /**
     * A client reads every reply the master may send: einhornsh refused lines over 1 MiB and parsed replies with
     * the request limit of 1 MiB, although a reply message may have 4 Mi characters (a state over 1 MiB failed).
     */
    @Test
    void aReplyAtTheReplyLimitIsReadBack() throws ParseException {
        String message = "line %1 \u0001\n".repeat(Replies.MAX_MESSAGE_CHARS / 10 + 1).substring(0, Replies.MAX_MESSAGE_CHARS);
        String line = Replies.encode(message, 1, true);
        int bytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        assertTrue(bytes > Framing.MAX_LINE_BYTES && bytes <= Framing.MAX_REPLY_LINE_BYTES, bytes + " bytes");
        Map<?, ?> reply = (Map<?, ?>) Yaml.parseReply(Framing.decode(line.substring(0, line.length() - 1)));
        assertEquals(message, reply.get("message"));
    }

    @Test
    void framingEscapesOnlyPercentAndNewline() {
        assertEquals("a%25b%0Ac+d\r\t%0A\n", Framing.encode("a%b\nc+d\r\t\n"));
        assertEquals("a%b\nc+d", Framing.decode("a%25b%0Ac+d\r"));
        assertEquals("%0A", Framing.decode("%250A"));
        assertEquals("%2", Framing.decode("%2"));
    }
}
