package dev.einhorn.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client's value as a log line or a reply quotes it: Ruby's inspect up to the bound, then cut with its size. */
class ExcerptTest {
    @Test
    void shortValuesAreRubysInspect() {
        assertEquals("\"frobnicate\"", Excerpt.of("frobnicate"));
        assertEquals("{\"command\"=>\"worker:ack\"}", Excerpt.of(Map.of("command", "worker:ack")));
        assertEquals("[1, nil]", Excerpt.of(java.util.Arrays.asList(1, null)));
        String exactlyAtTheBound = "x".repeat(Excerpt.MAX_CHARS);
        assertEquals("\"" + exactlyAtTheBound + "\"", Excerpt.of(exactlyAtTheBound));
    }

    @Test
    void aLongStringIsCutAfterTheBoundWithItsSize() {
        String mib = "A".repeat(1 << 20);
        assertEquals("\"" + "A".repeat(200) + "\"... (1048576 bytes)", Excerpt.of(mib));
        // the size counts bytes as sent: 201 two-byte characters
        assertEquals("\"" + "é".repeat(200) + "\"... (402 bytes)", Excerpt.of("é".repeat(201)));
    }

    @Test
    void controlCharactersAreEscapedSoNoLineCanBeForged() {
        String forged = "x\r\n[2026-01-01] INFO: all workers acked\u001b[2J\u0000\u007f\u0085\u2028";
        String quoted = Excerpt.of(forged);
        assertEquals("\"x\\r\\n[2026-01-01] INFO: all workers acked\\e[2J\\u0000\\u007F\\u0085\\u2028\"", quoted);
        assertTrue(quoted.chars().noneMatch(c -> c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028), quoted);
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String s = "a".repeat(Excerpt.MAX_CHARS - 1) + "😀" + "b";
        assertEquals("\"" + "a".repeat(Excerpt.MAX_CHARS - 1) + "\"... (" + (Excerpt.MAX_CHARS - 1 + 4 + 1) + " bytes)",
                Excerpt.of(s));
    }

    @Test
    void aLargeMappingIsCutInItsInspectForm() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", "worker:ack");
        request.put("junk", "\r".repeat(100_000));
        String quoted = Excerpt.of(request);
        assertTrue(quoted.startsWith("{\"command\"=>\"worker:ack\", \"junk\"=>\"\\r\\r"), quoted);
        // the inspect form: 200 characters of it, then its whole size (each CR is the two characters \r)
        assertTrue(quoted.endsWith("... (" + ("{\"command\"=>\"worker:ack\", \"junk\"=>\"\"}".length() + 200_000) + " bytes)"),
                quoted);
        assertTrue(quoted.length() < Excerpt.MAX_CHARS + 30, quoted);
        assertFalse(quoted.contains("\r"), quoted);
    }

    @Test
    void nestedListsAreInspectedToo() {
        assertEquals("[\"a\\nb\"]", Excerpt.of(List.of("a\nb")));
    }

    @Test
    void boundedKeepsAShortPlainTextAsItIsAndQuotesTheRest() {
        assertEquals("abc", Excerpt.bounded("abc"), "Ruby interpolates it raw: the usual reply stays byte for byte");
        assertEquals("\"a\\ab\\v\\u0001\"", Excerpt.bounded("a\u0007b\u000b\u0001"));
        assertEquals("\"x\\u2028\"", Excerpt.bounded("x\u2028"));
        assertEquals("\"" + "9".repeat(200) + "\"... (1000 bytes)", Excerpt.bounded("9".repeat(1000)));
    }
}
