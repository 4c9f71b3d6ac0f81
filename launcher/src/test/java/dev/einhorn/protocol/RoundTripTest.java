package dev.einhorn.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property: whatever we write, our loader (and so any YAML reader) reads back unchanged. */
class RoundTripTest {
    private static final String[] PIECES = {
        "a", "b", "Z", "0", "1", "9", " ", "  ", "\n", "\n\n", "\t", "\r", ":", ": ", "#", " #", "-", "- ", "---",
        "...", "'", "\"", "\\", "%", "%0A", "%25", "[", "]", "{", "}", ",", "?", "!", "&", "*", "|", ">", "@", "`",
        "~", "=", "===> ", "yes", "no", "null", "true", "1.5", "0x1F", "0o7", "08", "1e5", ".inf", "<<", "é", "ü",
        "日本", "\u0085", "\u2028", "\uFEFF", "\u00A0", "\uD83D\uDE00", "\u0000", "\u0007", "\u001B", "word ",
        "Upgrading smoothly, as commanded", "2020-01-02", "12:30:45", "+1", "-.5",
    };

    @Test
    void randomStringsSurviveDumpThenParse() throws ParseException {
        Random random = new Random(20240611L);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            int n = random.nextInt(i % 10 == 0 ? 60 : 8);
            for (int j = 0; j < n; j++) s.append(PIECES[random.nextInt(PIECES.length)]);
            assertRoundTrips(s.toString());
        }
    }

    @Test
    void longLinesFoldAndComeBack() throws ParseException {
        Random random = new Random(7);
        String[] words = {"alpha", "beta", "gamma:", "delta", "'q'", "\"dq\"", " ", "x"};
        for (int i = 0; i < 2_000; i++) {
            StringBuilder s = new StringBuilder(i % 3 == 0 ? "=" : "");
            while (s.length() < 300) s.append(words[random.nextInt(words.length)]).append(' ');
            assertRoundTrips(s.toString().strip());
            assertRoundTrips(s.toString());
        }
    }

    @Test
    void keysValuesAndNestingRoundTrip() throws ParseException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", 7);
        m.put("command", "set_workers");
        m.put("args", List.of("3", "a b", "", "yes", "-1"));
        m.put("nested", Map.of("k", List.of(List.of(), Map.of(), true, 99999999999L)));
        m.put("odd: key", "v");
        assertEquals(m, Yaml.parseMapping(Framing.decode(Framing.encode(Yaml.dump(m)).strip())));
    }

    private static void assertRoundTrips(String s) throws ParseException {
        Map<String, Object> in = Map.of("message", s, "args", List.of(s));
        String line = Framing.encode(Yaml.dump(in));
        assertEquals(1, line.chars().filter(c -> c == '\n').count(), line);
        Map<String, Object> out = Yaml.parseMapping(Framing.decode(line.substring(0, line.length() - 1)));
        assertEquals(in, out, () -> "dumped as:\n" + Yaml.dump(in) + "\ncode points: "
                + s.codePoints().mapToObj(Integer::toHexString).toList());
    }
}
