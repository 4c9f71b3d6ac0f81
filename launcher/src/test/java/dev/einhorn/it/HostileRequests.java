package dev.einhorn.it;

import dev.einhorn.it.FuzzRequest.Kind;
import dev.einhorn.protocol.Framing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Requests written to hurt a YAML-speaking server: anchors and aliases (billion laughs, alias chains that stay
 * under an alias cap and expand when echoed, an alias to its own ancestor), class-instantiating tags, merge
 * keys, directives and multiple documents, deep nesting, lines at and over the length limit, huge numbers,
 * invalid {@code %} escapes, control bytes and invalid UTF-8. The hostile value goes into each place the
 * master reads or echoes ({@link #SLOTS}). None of them names a command that changes the pool, by
 * construction: judging them with a YAML loader in the test would cost what they cost the master.
 */
final class HostileRequests {
    private HostileRequests() {}

    private static final String V = "@V@";
    /** The deepest nesting and longest integer sent: both fit in a line, both far past the loader's bounds. */
    static final int MAX_DEPTH = 60_000;
    static final int MAX_DIGITS = 999_935; // (digits % 3 == 2: plain nines, see hugeNumber)
    /** Where a hostile value goes: fields the master echoes, logs, converts, or ignores. */
    static final List<String> SLOTS = List.of(
            "{\"command\":\"ehlo\",\"user\":@V@}",
            "{\"command\":\"help\",\"id\":@V@}",
            "{\"command\":\"state\",\"id\":@V@}",
            "{\"command\":\"no-such-command\",\"id\":@V@}",
            "{\"command\":\"worker:ping\",\"pid\":1,\"request_id\":@V@}",
            "{\"command\":\"worker:ack\",\"pid\":@V@}",
            "{\"command\":\"signal\",\"args\":[@V@]}",
            "{\"command\":\"config\",\"args\":[@V@]}",
            "{\"command\":@V@}",
            "{\"command\":\"ehlo\",\"unused\":@V@}");

    /** Self-referencing values: an alias to an anchor on an enclosing node. */
    static final List<String> RECURSIVE = List.of("&r [*r]", "&r [[*r]]", "&r {\"k\": *r}", "&r {\"k\": [*r]}",
            "&r [{\"k\": *r}]", "&r [1, [2, [3, *r]]]", "&r {\"k\": {\"k\": *r}}");

    static final List<String> TAGGED = List.of(
            "!!java/object:java.lang.Runtime {}",
            "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:1/\"]]]]",
            "!<tag:yaml.org,2002:java.net.URL> [\"http://127.0.0.1:1/\"]",
            "!ruby/object:Gem::Installer {i: x}",
            "!ruby/hash:ActiveSupport::HashWithIndifferentAccess {a: 1}",
            "!ruby/sym ehlo",
            "!!python/object/apply:os.system [\"touch /tmp/einhorn-fuzz-pwned\"]",
            "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1, b: 2]", "!!timestamp 2001-12-14", "!!int abc",
            "!!float x", "!!bool maybe", "!!null x", "!!str 1", "!!map [1]", "!!seq {a: 1}", "!foo bar",
            "!<!> x", "!!<x> y", "!e!x y");

    static Arbitrary<FuzzRequest> any() {
        Arbitrary<String> slot = Arbitraries.of(SLOTS);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Combinators.combine(Arbitraries.integers().between(1, 22), slot).as(HostileRequests::aliasChain)),
                Tuple.of(2, Combinators.combine(Arbitraries.integers().between(2, 12), Arbitraries.integers().between(2, 10),
                        slot).as(HostileRequests::billionLaughs)),
                Tuple.of(3, Combinators.combine(Arbitraries.of(RECURSIVE), slot).as(HostileRequests::inSlot)),
                Tuple.of(2, Combinators.combine(Arbitraries.of(TAGGED), slot).as(HostileRequests::inSlot)),
                Tuple.of(1, Arbitraries.of(mergeKeys())),
                Tuple.of(1, Arbitraries.of(documents())),
                Tuple.of(2, Combinators.combine(Arbitraries.integers().between(10, MAX_DEPTH), Arbitraries.integers().between(0, 3),
                        slot).as(HostileRequests::deep)),
                Tuple.of(1, Arbitraries.of(-64, -1, 0, 1, 1 << 19).map(d -> longLine(Framing.MAX_LINE_BYTES + d))),
                Tuple.of(2, Combinators.combine(Arbitraries.integers().between(1, MAX_DIGITS), slot).as(HostileRequests::hugeNumber)),
                Tuple.of(2, Combinators.combine(Arbitraries.of("%", "%0", "%ZZ", "%0a", "%%", "%250A", "%0D", "%00", "%%0A0A",
                        "%2", "%25%"), Arbitraries.integers().between(0, 40)).as(HostileRequests::badEscape)),
                Tuple.of(1, Combinators.combine(Arbitraries.integers().between(1, 40_000), Arbitraries.of(true, false))
                        .as(HostileRequests::manyKeys)),
                Tuple.of(2, Arbitraries.of(controlBytes())));
    }

    /** The worst case of each shape, sent once in a fixed order. */
    static List<FuzzRequest> corpus() {
        List<FuzzRequest> all = new ArrayList<>();
        for (String slot : SLOTS) { // the shapes that expand, recurse or overflow when echoed: in every place
            all.add(aliasChain(20, slot));
            all.add(aliasChain(22, slot));
            all.add(billionLaughs(9, 5, slot)); // 45 aliases, under the old cap: 5^9 nodes when expanded
            for (String r : RECURSIVE) all.add(inSlot(r, slot));
            all.add(hugeNumber(1_001, slot)); // just past the loader's bound
        }
        for (String slot : List.of(SLOTS.get(0), SLOTS.get(1), SLOTS.get(8))) { // the rest: where it is echoed or read
            for (String t : TAGGED) all.add(inSlot(t, slot));
            for (int form = 0; form < 3; form++) all.add(deep(MAX_DEPTH, form, slot));
            all.add(hugeNumber(MAX_DIGITS, slot));
        }
        all.add(deep(MAX_DEPTH, 3, SLOTS.get(0)));
        mergeKeys().forEach(all::add);
        documents().forEach(all::add);
        controlBytes().forEach(all::add);
        for (int d : List.of(-1, 1, 1 << 19)) all.add(longLine(Framing.MAX_LINE_BYTES + d)); // the longest answered
        all.add(manyKeys(20_000, true));
        all.add(manyKeys(20_000, false));
        return all;
    }

    static FuzzRequest inSlot(String value, String slot) {
        return FuzzRequest.line(Kind.HOSTILE, slot.replace(V, value), null);
    }

    /** Anchors a0..ak, each a list of two aliases of the one before: 2k aliases, 2^k nodes when expanded. */
    static FuzzRequest aliasChain(int k, String slot) {
        StringBuilder defs = new StringBuilder("\"a0\": &a0 \"xxxxxxxxxx\"");
        for (int i = 1; i <= k; i++) defs.append(", \"a").append(i).append("\": &a").append(i).append(" [*a")
                .append(i - 1).append(", *a").append(i - 1).append(']');
        String line = slot.replace(V, "*a" + k);
        return FuzzRequest.line(Kind.HOSTILE, "{" + defs + ", " + line.substring(1), null);
    }

    /** Billion laughs: {@code levels} anchors of {@code width} aliases each of the one before. */
    static FuzzRequest billionLaughs(int levels, int width, String slot) {
        StringBuilder defs = new StringBuilder("\"l0\": &l0 [\"lol\"]");
        for (int i = 1; i <= levels; i++) {
            defs.append(", \"l").append(i).append("\": &l").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(width, "*l" + (i - 1)))).append(']');
        }
        String line = slot.replace(V, "*l" + levels);
        return FuzzRequest.line(Kind.HOSTILE, "{" + defs + ", " + line.substring(1), null);
    }

    /** Nesting {@code depth} deep: unbalanced or balanced flow lists, nested flow maps, or block lists. */
    static FuzzRequest deep(int depth, int form, String slot) {
        String value = switch (form) {
            case 0 -> "[".repeat(depth);
            case 1 -> "[".repeat(depth) + "]".repeat(depth);
            case 2 -> "{\"a\": ".repeat(depth) + "1" + "}".repeat(depth);
            default -> null;
        };
        if (value == null) { // block sequences: the line grows with depth squared, so cap it
            int d = Math.min(depth, 900);
            StringBuilder b = new StringBuilder("command: ehlo%0Auser:%0A");
            for (int i = 0; i < d; i++) b.append("  ".repeat(i + 1)).append("-%0A");
            b.append("  ".repeat(d + 1)).append("x%0A");
            return FuzzRequest.line(Kind.HOSTILE, b.toString(), null);
        }
        return inSlot(value, slot);
    }

    /** An ehlo whose line is exactly {@code bytes} long: at the limit it is answered, over it the connection closes. */
    static FuzzRequest longLine(int bytes) {
        String head = "{\"command\":\"ehlo\",\"user\":\"";
        String tail = "\"}";
        return FuzzRequest.line(Kind.HOSTILE, head + "x".repeat(bytes - head.length() - tail.length()) + tail, null);
    }

    /** A number of {@code digits} digits (up to the line limit), as a value, or in exponent form. */
    static FuzzRequest hugeNumber(int digits, String slot) {
        String n = digits % 3 == 0 ? "1e" + digits : (digits % 3 == 1 ? "-" : "") + "9".repeat(digits);
        return inSlot(n, slot);
    }

    static FuzzRequest badEscape(String escape, int at) {
        String base = "{\"command\":\"ehlo\",\"user\":\"percent\"}";
        int pos = Math.min(at, base.length());
        return FuzzRequest.line(Kind.HOSTILE, base.substring(0, pos) + escape + base.substring(pos), null);
    }

    /** {@code n} distinct keys, or the key {@code command} repeated {@code n} times (the last one wins). */
    static FuzzRequest manyKeys(int n, boolean distinct) {
        String body = IntStream.range(0, n)
                .mapToObj(i -> distinct ? "\"k" + i + "\":" + i : "\"command\":\"ehlo\"")
                .collect(Collectors.joining(","));
        return FuzzRequest.line(Kind.HOSTILE, "{" + body + ",\"command\":\"help\"}", null);
    }

    static List<FuzzRequest> mergeKeys() {
        return List.of(
                "base: &b {command: ehlo, user: merged}%0A<<: *b%0A",
                "base: &b {command: ehlo}%0Acommand: help%0A<<: *b%0A",
                "b1: &b1 {user: x}%0Ab2: &b2 {<<: *b1, id: 1}%0A<<: [*b1, *b2, *b2]%0Acommand: ehlo%0A",
                "s: &s scalar%0A<<: *s%0Acommand: ehlo%0A",
                "{<<: {command: ehlo}, <<: [{user: a}, {user: b}]}",
                "<<: &m {<<: *m}%0A")
                .stream().map(s -> FuzzRequest.line(Kind.HOSTILE, s, null)).toList();
    }

    static List<FuzzRequest> documents() {
        return List.of(
                "command: ehlo%0A---%0Acommand: help%0A",
                "--- {command: ehlo}%0A...%0A--- {command: state}%0A",
                "%YAML 1.1%0A--- {command: ehlo}%0A",
                "%YAML 9.9%0A--- {command: ehlo}%0A",
                "%YAML 1.2%0A%YAML 1.2%0A--- {command: ehlo}%0A",
                "%TAG ! tag:evil.example,2000:%0A--- !foo {command: ehlo}%0A",
                "%TAG !e! tag:evil.example,2000:%0A--- {command: !e!x ehlo}%0A",
                "%FOO bar%0A--- {command: ehlo}%0A",
                "? command%0A: ehlo%0A",
                "? [command]%0A: ehlo%0A",
                "? {a: 1}%0A: ehlo%0Acommand: ehlo%0A",
                "command: |%0A  ehlo%0A",
                "command: >-%0A  eh%0A  lo%0A",
                "command: \"ehlo\" # a comment%0A",
                "{command: ehlo, user: &x}",
                "{command: ehlo, user: *undefined}",
                "{command: ehlo, &a user: *a}",
                "&a {command: ehlo, *a : 1}",
                "- command: ehlo%0A",
                "ehlo",
                "",
                " ",
                "\t{\"command\":\"ehlo\"}",
                "{\"command\":\"ehlo\"}}",
                "{\"command\":\"ehlo\"",
                "[{\"command\":\"ehlo\"}]")
                .stream().map(s -> FuzzRequest.line(Kind.HOSTILE, s, null)).toList();
    }

    static List<FuzzRequest> controlBytes() {
        List<byte[]> lines = List.of(
                bytes("{\"command\":\"ehlo\",\"user\":\"nul\u0000byte\"}"),
                bytes("{\"command\":\"ehlo\u0000\"}"),
                bytes("{\"command\":\"ehlo\",\r\"user\":\"cr\"}"),
                bytes("{\"command\":\"ehlo\"}\r\r"),
                bytes("\r"),
                bytes("\ufeff{\"command\":\"ehlo\"}"),
                bytes("{\"command\":\"ehlo\",\"user\":\"\u2028\u2029\u0085\"}"),
                bytes("{\"command\":\"ehlo\",\"user\":\"\u001b[2J\u0007\"}"),
                concat(bytes("{\"command\":\"ehlo\",\"user\":\""), new byte[] {(byte) 0xc3, 0x28}, bytes("\"}")),
                concat(bytes("{\"command\":\"ehlo\",\"user\":\""), new byte[] {(byte) 0xff, (byte) 0xfe}, bytes("\"}")),
                concat(bytes("{\"command\":\"ehlo\",\"user\":\""), new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, bytes("\"}")),
                concat(bytes("{\"command\":\"ehlo\",\"user\":\""), new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, bytes("\"}")),
                concat(bytes("{\"command\":\"ehlo\",\"user\":\""), new byte[] {(byte) 0xc0, (byte) 0xaf}, bytes("\"}")),
                concat(bytes("{\"command\":\""), new byte[] {(byte) 0x80}, bytes("\"}")),
                new byte[] {0, 0, 0, 0},
                new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf},
                new byte[] {(byte) 0xfe, (byte) 0xff, 0, '{', 0, '}'});
        return lines.stream().map(b -> new FuzzRequest(Kind.HOSTILE, b, FuzzRequest.Ending.LINE, 1, null, null)).toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
