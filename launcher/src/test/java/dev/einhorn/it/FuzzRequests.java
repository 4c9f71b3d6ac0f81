package dev.einhorn.it;

import dev.einhorn.it.FuzzRequest.Ending;
import dev.einhorn.it.FuzzRequest.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik arbitraries for command-socket requests: JSON and YAML (block and flow) requests for the commands that
 * leave the pool alone, with values of every type where the master expects one, some mutated into malformed
 * text, some sent without the wire escaping of {@code %}; hostile documents ({@link HostileRequests}); raw
 * binary lines; each ended normally, cut mid-line, or dropped before the reply is read. Randomness that jqwik
 * does not draw directly (escaping style, mutations) comes from a {@code long} it draws, so one jqwik seed
 * reproduces every byte.
 */
final class FuzzRequests {
    private FuzzRequests() {}

    /** Commands sent by name: all answer without touching the pool (signal and config with chosen args). */
    static final List<String> SAFE_COMMANDS = List.of("ehlo", "state", "help", "metrics", "louder", "quieter",
            "worker:ping", "worker:ack", "signal", "config");
    private static final Set<String> KNOWN_KEYS = Set.of("command", "id", "args", "user", "pid", "request_id");
    /** Words YAML gives a meaning (null, booleans, numbers, anchors, tags, indicators) and our escape bytes. */
    private static final List<String> TRICKY_WORDS = List.of("", " ", "yes", "no", "on", "off", "~", "null", "NULL",
            "true", "True", "FALSE", ".inf", "-.inf", ".nan", "0x1F", "0o17", "017", "1e3", "1_000", "+12", "-0",
            "2026-11-28", "12:30:45", "<<", "&a", "*a", "!!str", "!ruby/sym", "%", "%0A", "%25", "%%", "%0a", "\\",
            "\"", "'", "#", "- x", ": ", "{", "}", "[", "]", ",", "?", "|", ">", "@", "`", "\t", " lead", "trail ",
            "---", "...", "\u2028", "\u00e9t\u00e9", "\ud83e\udd84", "\u0000", "\r", "\n");

    /** Every kind in the proportions the fuzz test sends them. */
    static Arbitrary<FuzzRequest> any() {
        Arbitrary<FuzzRequest> base = Arbitraries.frequencyOf(
                Tuple.of(40, json()),
                Tuple.of(40, yaml()),
                Tuple.of(15, HostileRequests.any()),
                Tuple.of(5, binary()));
        // the ending is drawn uniformly (jqwik's integers lean towards small values)
        return Combinators.combine(base, Arbitraries.longs().withoutEdgeCases()).as((r, seed) -> {
                    Random random = new Random(seed);
                    int dice = random.nextInt(100);
                    int chunks = 1 + random.nextInt(3);
                    return dice < 4 ? r.endingWith(Ending.HANG_UP, chunks)
                            : dice < 8 ? r.endingWith(Ending.MID_LINE, chunks)
                            : r.endingWith(Ending.LINE, chunks);
                })
                .map(r -> r.kind() == Kind.HOSTILE ? r : r.judged()) // hostile: never disruptive by construction, costly to judge
                .filter(r -> r.judgement() == null || r.judgement().outcome() != RequestOracle.Outcome.DISRUPTIVE);
    }

    // ------------------------------------------------------------------ values

    /** A marker for YAML/JSON null in generated trees. */
    enum Null { NULL }

    /*
     * The values are drawn from a java.util.Random seeded by jqwik: jqwik's own combinators, nested this deep,
     * cost tens of milliseconds per request, which would leave a few hundred requests in the time budget.
     */

    static String text(Random r) {
        int roll = r.nextInt(12);
        if (roll < 5) return alnum(r, r.nextInt(21));
        if (roll < 8) {
            StringBuilder b = new StringBuilder();
            for (int i = r.nextInt(31); i > 0; i--) {
                b.appendCodePoint(switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(0x80);
                    case 1 -> r.nextInt(0x800);
                    case 2 -> r.nextInt(0x10000); // lone surrogates included
                    default -> r.nextInt(0x110000);
                });
            }
            return b.toString();
        }
        if (roll < 11 || r.nextBoolean()) return TRICKY_WORDS.get(r.nextInt(TRICKY_WORDS.size()));
        return "x".repeat(1_000 + r.nextInt(9_000));
    }

    private static String alnum(Random r, int length) {
        String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.: ";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) b.append(chars.charAt(r.nextInt(chars.length())));
        return b.toString();
    }

    static Object scalar(Random r) {
        return switch (r.nextInt(12)) {
            case 0, 1, 2, 3, 4 -> text(r);
            case 5 -> r.nextInt(1000) - 500;
            case 6 -> List.of(0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE)
                    .get(r.nextInt(7));
            case 7 -> r.nextLong();
            case 8 -> new BigInteger(64 + r.nextInt(200), r).multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1));
            case 9 -> List.of(r.nextDouble() * 1e6, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e308, 4.9e-324)
                    .get(r.nextInt(6));
            case 10 -> r.nextBoolean();
            default -> Null.NULL;
        };
    }

    /** Scalars, lists and string-keyed maps, up to {@code depth} levels (hostile depths are {@link HostileRequests}'). */
    static Object value(Random r, int depth) {
        int roll = depth == 0 ? 0 : r.nextInt(4);
        if (roll < 2) return scalar(r);
        int size = r.nextInt(5);
        if (roll == 2) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < size; i++) list.add(value(r, depth - 1));
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) map.put(text(r), value(r, depth - 1));
        return map;
    }

    private static Object command(Random r) {
        int roll = r.nextInt(15);
        if (roll < 12) return SAFE_COMMANDS.get(r.nextInt(SAFE_COMMANDS.size()));
        if (roll < 14) return text(r); // unknown commands (the oracle drops inc, die...)
        return value(r, 2);             // wrong types
    }

    private static final List<String> SIGNAL_WORDS = List.of("NOSUCH", "SIGNOPE", "9", "0", "-1", "", "sig", "USR2 ",
            "KILL\u0000");
    private static final List<String> CONFIGS = List.of("{verbosity: 1}", "{\":verbosity\": 2}", "{verbosity: 99}",
            "{verbosity: -5}", "{verbosity: \"1\"}", "{verbosity: 1.5}", "{foo: 1}", "[1, 2]", "{", "", "verbosity",
            "{verbosity: 12345678901234567890}");

    private static Object args(Random r) {
        switch (r.nextInt(6)) {
            case 0, 1 -> {
                List<Object> names = new ArrayList<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    int kind = r.nextInt(5);
                    names.add(kind < 2 ? RequestOracle.HARMLESS_SIGNALS.get(r.nextInt(RequestOracle.HARMLESS_SIGNALS.size()))
                            : kind < 4 ? SIGNAL_WORDS.get(r.nextInt(SIGNAL_WORDS.size())) : text(r));
                }
                return names;
            }
            case 2 -> {
                List<Object> configs = new ArrayList<>();
                for (int i = r.nextInt(3); i > 0; i--) configs.add(CONFIGS.get(r.nextInt(CONFIGS.size())));
                return configs;
            }
            case 3 -> {
                return List.of("--json");
            }
            default -> {
                return value(r, 3);
            }
        }
    }

    private static Object pid(Random r) {
        return switch (r.nextInt(5)) {
            case 0, 1 -> List.of(0L, -1L, 1L, 4294967296L + 1, (long) Integer.MAX_VALUE + 1, Long.MAX_VALUE, Long.MIN_VALUE)
                    .get(r.nextInt(7));
            case 2 -> new BigInteger("99999999999999999999");
            default -> value(r, 2);
        };
    }

    /** A request as a map: command first, then what that command reads, then junk keys. */
    static Map<String, Object> requestMap(Random r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command(r));
        if (r.nextBoolean()) m.put("id", value(r, 3));
        if (r.nextInt(10) < 7) m.put("args", args(r));
        if (r.nextBoolean()) m.put("user", value(r, 3));
        if (r.nextInt(10) < 7) m.put("pid", pid(r));
        if (r.nextInt(10) < 2) m.put("request_id", value(r, 3));
        for (int i = r.nextInt(4); i > 0; i--) {
            String key = text(r);
            if (!KNOWN_KEYS.contains(key)) m.put(key, value(r, 3));
        }
        return m;
    }

    /** How the reply to a well-formed, correctly escaped request must begin, when we know. */
    static String expectedPrefix(Map<String, Object> request) {
        Object command = request.get("command");
        if (!(command instanceof String name)) return null;
        if (name.equals("ehlo")) return "Welcome, ";
        if (name.equals("help")) return "You are speaking to the Einhorn command socket.";
        if (!SAFE_COMMANDS.contains(name) && !name.isEmpty()) return "Unrecognized command: ";
        return null;
    }

    // ------------------------------------------------------------------ JSON

    static Arbitrary<FuzzRequest> json() {
        return Arbitraries.longs().withoutEdgeCases().map(seed -> {
            Random r = new Random(seed);
            Map<String, Object> request = requestMap(r);
            StringBuilder out = new StringBuilder();
            writeJson(request, out, r);
            return render(Kind.JSON, out.toString(), request, r.nextInt(100), r);
        });
    }

    static void writeJson(Object v, StringBuilder out, Random r) {
        if (r.nextInt(8) == 0) out.append(' ');
        if (v instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) out.append(',');
                first = false;
                writeJsonString(String.valueOf(e.getKey()), out, r);
                out.append(r.nextBoolean() ? ":" : ": ");
                writeJson(e.getValue(), out, r);
            }
            out.append('}');
        } else if (v instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) out.append(',');
                writeJson(l.get(i), out, r);
            }
            out.append(']');
        } else if (v instanceof String s) {
            writeJsonString(s, out, r);
        } else if (v == Null.NULL || v == null) {
            out.append("null");
        } else {
            out.append(v); // numbers (NaN and Infinity too: invalid JSON, a plain YAML scalar), booleans
        }
    }

    private static void writeJsonString(String s, StringBuilder out, Random r) {
        boolean asciiOnly = r.nextInt(3) == 0;
        out.append('"');
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20 || (asciiOnly && ch > 0x7e) || Character.isSurrogate(ch)) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        out.append('"');
    }

    // ------------------------------------------------------------------ YAML

    static Arbitrary<FuzzRequest> yaml() {
        return Arbitraries.longs().withoutEdgeCases().map(seed -> {
            Random r = new Random(seed);
            Map<String, Object> request = requestMap(r);
            StringBuilder out = new StringBuilder();
            if (r.nextInt(3) == 0) {
                writeFlow(request, out, r);
            } else {
                if (r.nextInt(5) == 0) out.append("---\n");
                writeBlock(request, out, 0, r);
            }
            return render(Kind.YAML, out.toString(), request, r.nextInt(100), r);
        });
    }

    private static void writeBlock(Map<?, ?> m, StringBuilder out, int indent, Random r) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.append(" ".repeat(indent)).append(yamlScalar(String.valueOf(e.getKey()), r)).append(':');
            writeBlockValue(e.getValue(), out, indent, r);
        }
    }

    private static void writeBlockValue(Object v, StringBuilder out, int indent, Random r) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            out.append('\n');
            writeBlock(m, out, indent + 2, r);
        } else if (v instanceof List<?> l && !l.isEmpty()) {
            out.append('\n');
            for (Object item : l) {
                out.append(" ".repeat(indent + 2)).append('-');
                if (item instanceof Map<?, ?> || item instanceof List<?>) {
                    StringBuilder flow = new StringBuilder();
                    writeFlow(item, flow, r);
                    out.append(' ').append(flow).append('\n');
                } else {
                    out.append(' ').append(yamlValue(item, r)).append('\n');
                }
            }
        } else {
            StringBuilder flow = new StringBuilder();
            writeFlow(v, flow, r);
            out.append(' ').append(flow).append('\n');
        }
    }

    static void writeFlow(Object v, StringBuilder out, Random r) {
        if (v instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) out.append(", ");
                first = false;
                out.append(yamlScalar(String.valueOf(e.getKey()), r)).append(": ");
                writeFlow(e.getValue(), out, r);
            }
            out.append('}');
        } else if (v instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) out.append(", ");
                writeFlow(l.get(i), out, r);
            }
            out.append(']');
        } else {
            out.append(yamlValue(v, r));
        }
    }

    private static String yamlValue(Object v, Random r) {
        if (v instanceof String s) return yamlScalar(s, r);
        if (v == Null.NULL || v == null) return r.nextBoolean() ? "~" : "null";
        if (v instanceof Double d && d.isNaN()) return ".nan";
        if (v instanceof Double d && d.isInfinite()) return d > 0 ? ".inf" : "-.inf";
        return String.valueOf(v);
    }

    /** A string as a YAML scalar: plain when that reads back as the same string, else single or double quoted. */
    private static String yamlScalar(String s, Random r) {
        if (s.matches("[A-Za-z][A-Za-z0-9_]*") && !s.matches("(?i)(true|false|null|yes|no|on|off|y|n)")
                && r.nextInt(4) != 0) {
            return s;
        }
        if (r.nextBoolean() && s.chars().allMatch(c -> c >= 0x20 && c != 0x7f && !Character.isSurrogate((char) c)
                && c != 0x2028 && c != 0x2029 && c != 0x85 && c != 0xfeff)) {
            return "'" + s.replace("'", "''") + "'";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20 || ch == 0x7f || Character.isSurrogate(ch) || ch == 0x2028 || ch == 0x2029
                            || ch == 0x85 || ch == 0xfeff) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    // ------------------------------------------------------------------ damage and the wire

    private static final String SYNTAX = "{}[]:,-&*!|>'\"#%@`\t ?\\\r\u0000";

    /**
     * The document on the wire: usually escaped as the protocol says; sometimes sent raw (a {@code %} that is
     * not an escape); sometimes damaged first (truncated, characters dropped, YAML syntax inserted).
     */
    private static FuzzRequest render(Kind kind, String document, Map<String, Object> request, int dice, Random r) {
        String expected = expectedPrefix(request);
        if (dice < 30) {
            document = mutate(document, r);
            expected = null;
        }
        String line;
        if (dice >= 30 && dice < 37) {
            line = document.replace("\n", "%0A"); // a raw % stays: an invalid or unintended escape
            expected = null;
        } else {
            line = document.replace("%", "%25").replace("\n", "%0A");
        }
        return FuzzRequest.line(kind, line.replace("\n", " "), expected);
    }

    static String mutate(String s, Random r) {
        StringBuilder b = new StringBuilder(s);
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            int at = b.length() == 0 ? 0 : r.nextInt(b.length());
            switch (r.nextInt(5)) {
                case 0 -> b.setLength(at);
                case 1 -> { if (b.length() > 0) b.deleteCharAt(at); }
                case 2 -> b.insert(at, SYNTAX.charAt(r.nextInt(SYNTAX.length())));
                case 3 -> b.insert(at, b.substring(at, Math.min(b.length(), at + 1 + r.nextInt(40))));
                default -> {
                    if (b.length() > 1) {
                        int other = r.nextInt(b.length());
                        char c = b.charAt(at);
                        b.setCharAt(at, b.charAt(other));
                        b.setCharAt(other, c);
                    }
                }
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ binary

    static Arbitrary<FuzzRequest> binary() {
        return Arbitraries.longs().withoutEdgeCases().map(seed -> {
            Random r = new Random(seed);
            byte[] bytes = new byte[r.nextInt(3001)];
            r.nextBytes(bytes);
            for (int i = 0; i < bytes.length; i++) if (bytes[i] == '\n') bytes[i] = '\r';
            return new FuzzRequest(Kind.BINARY, bytes, Ending.LINE, 1, null, null);
        });
    }
}
