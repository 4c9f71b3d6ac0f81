package dev.einhorn.it;

import dev.einhorn.it.FuzzRequest.Ending;
import dev.einhorn.it.FuzzRequest.Kind;
import java.math.BigInteger;
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
        return Combinators.combine(base, Arbitraries.integers().between(0, 99), Arbitraries.integers().between(1, 3))
                .as((r, dice, chunks) -> dice < 4 ? r.endingWith(Ending.HANG_UP, chunks)
                        : dice < 8 ? r.endingWith(Ending.MID_LINE, chunks)
                        : r.endingWith(Ending.LINE, chunks))
                .filter(r -> RequestOracle.judge(r.line()).outcome() != RequestOracle.Outcome.DISRUPTIVE);
    }

    // ------------------------------------------------------------------ values

    /** A marker for YAML/JSON null (jqwik values cannot be null in a frequency mix). */
    enum Null { NULL }

    static Arbitrary<String> text() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.strings().alpha().numeric().withChars("_-.: ").ofMaxLength(20)),
                Tuple.of(3, Arbitraries.strings().all().ofMaxLength(30)),
                Tuple.of(3, Arbitraries.of(TRICKY_WORDS)),
                Tuple.of(1, Arbitraries.integers().between(1_000, 200_000).map("x"::repeat)));
    }

    static Arbitrary<Object> scalar() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, text().map(s -> (Object) s)),
                Tuple.of(2, Arbitraries.integers().map(i -> (Object) i)),
                Tuple.of(1, Arbitraries.longs().map(l -> (Object) l)),
                Tuple.of(1, Arbitraries.bigIntegers().between(BigInteger.TEN.pow(60).negate(), BigInteger.TEN.pow(60))
                        .map(b -> (Object) b)),
                Tuple.of(1, Arbitraries.doubles().map(d -> (Object) d)),
                Tuple.of(1, Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b)),
                Tuple.of(1, Arbitraries.just((Object) Null.NULL)));
    }

    /** Scalars, lists and string-keyed maps, up to 4 levels. */
    static Arbitrary<Object> value() {
        return Arbitraries.recursive(FuzzRequests::scalar, inner -> Arbitraries.frequencyOf(
                Tuple.of(2, inner),
                Tuple.of(1, inner.list().ofMaxSize(5).map(l -> (Object) l)),
                Tuple.of(1, Arbitraries.maps(text(), inner).ofMaxSize(5).map(m -> (Object) m))), 0, 4);
    }

    private static Arbitrary<Object> command() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.of(SAFE_COMMANDS).map(c -> (Object) c)),
                Tuple.of(2, text().map(s -> (Object) s)), // unknown commands (the oracle drops inc, die...)
                Tuple.of(1, value()));                  // wrong types
    }

    private static Arbitrary<Object> args() {
        Arbitrary<Object> signals = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(RequestOracle.HARMLESS_SIGNALS)),
                Tuple.of(2, Arbitraries.of("NOSUCH", "SIGNOPE", "9", "0", "-1", "", "sig", "USR2 ", "KILL\u0000")),
                Tuple.of(1, text())).list().ofMaxSize(4).map(l -> (Object) l);
        Arbitrary<Object> configs = Arbitraries.of("{verbosity: 1}", "{\":verbosity\": 2}", "{verbosity: 99}",
                "{verbosity: -5}", "{verbosity: \"1\"}", "{verbosity: 1.5}", "{foo: 1}", "[1, 2]", "{", "", "verbosity",
                "{verbosity: 12345678901234567890}").list().ofMaxSize(2).map(l -> (Object) l);
        return Arbitraries.frequencyOf(
                Tuple.of(2, signals),
                Tuple.of(1, configs),
                Tuple.of(1, Arbitraries.just((Object) List.of("--json"))),
                Tuple.of(2, value()));
    }

    private static Arbitrary<Object> pid() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(0L, -1L, 1L, 4294967296L + 1, (long) Integer.MAX_VALUE + 1, Long.MAX_VALUE,
                        Long.MIN_VALUE).map(p -> (Object) p)),
                Tuple.of(1, Arbitraries.just((Object) new BigInteger("99999999999999999999"))),
                Tuple.of(2, value()));
    }

    /** A request as a map: command first, then what that command reads, then junk keys. */
    static Arbitrary<Map<String, Object>> requestMap() {
        Arbitrary<Map<String, Object>> extras = Arbitraries.maps(text().filter(k -> !KNOWN_KEYS.contains(k)), value())
                .ofMaxSize(3);
        return Combinators.combine(command(), value().injectNull(0.5), args().injectNull(0.3),
                        value().injectNull(0.5), pid().injectNull(0.3), value().injectNull(0.8), extras)
                .as((command, id, args, user, pid, requestId, junk) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("command", command);
                    if (id != null) m.put("id", id);
                    if (args != null) m.put("args", args);
                    if (user != null) m.put("user", user);
                    if (pid != null) m.put("pid", pid);
                    if (requestId != null) m.put("request_id", requestId);
                    m.putAll(junk);
                    return m;
                });
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
        return Combinators.combine(requestMap(), Arbitraries.longs(), Arbitraries.integers().between(0, 99))
                .as((request, seed, dice) -> {
                    Random r = new Random(seed);
                    StringBuilder out = new StringBuilder();
                    writeJson(request, out, r);
                    return render(Kind.JSON, out.toString(), request, dice, r);
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
        return Combinators.combine(requestMap(), Arbitraries.longs(), Arbitraries.integers().between(0, 99))
                .as((request, seed, dice) -> {
                    Random r = new Random(seed);
                    StringBuilder out = new StringBuilder();
                    if (r.nextInt(3) == 0) {
                        writeFlow(request, out, r);
                    } else {
                        if (r.nextInt(5) == 0) out.append("---\n");
                        writeBlock(request, out, 0, r);
                    }
                    return render(Kind.YAML, out.toString(), request, dice, r);
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
        return Arbitraries.bytes().filter(b -> b != '\n').list().ofMaxSize(3000).map(list -> {
            byte[] bytes = new byte[list.size()];
            for (int i = 0; i < bytes.length; i++) bytes[i] = list.get(i);
            return new FuzzRequest(Kind.BINARY, bytes, Ending.LINE, 1, null);
        });
    }
}
