package dev.einhorn.protocol;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes one YAML document the way Ruby's {@code YAML.dump} (Psych on libyaml 0.2) does: block mappings
 * and sequences (indentless sequences under mapping keys, {@code {}}/{@code []} when empty), Psych's
 * requested scalar styles filtered by libyaml's rules, and libyaml's folding of long plain and quoted
 * scalars at 80 columns. It follows libyaml's emitter state (column, whitespace, indention) closely
 * enough that Einhorn's observed replies come out byte for byte.
 */
final class PsychEmitter {
    private static final int BEST_WIDTH = 80;
    private static final int BEST_INDENT = 2;
    private static final int MAX_SIMPLE_KEY_LENGTH = 128;

    private final StringBuilder out = new StringBuilder();
    private final boolean symbolKeys;
    private int column;
    private boolean whitespace = true;
    private boolean indention = true;
    private boolean openEnded;
    private int indent = -1;

    /** @param symbolKeys write every String map key as a Ruby symbol ({@code :key:}) */
    PsychEmitter(boolean symbolKeys) {
        this.symbolKeys = symbolKeys;
    }

    String document(Object root) {
        writeIndicator("---", true, false, false);
        node(root, false);
        boolean keptTrailingBreaks = openEnded;
        writeIndent();
        if (keptTrailingBreaks) { // a "|+" block scalar ended the stream: mark the end so its blank lines survive
            writeIndicator("...", true, false, false);
            writeIndent();
        }
        return out.toString();
    }

    private void node(Object value, boolean mappingValue) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) emptyCollection("{}");
            else mapping(map);
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) emptyCollection("[]");
            else sequence(list, mappingValue && !indention);
        } else {
            scalar(value, false);
        }
    }

    private void emptyCollection(String brackets) {
        writeIndicator(brackets.substring(0, 1), true, true, false);
        writeIndicator(brackets.substring(1), false, false, false);
    }

    private void mapping(Map<?, ?> map) {
        int saved = indent;
        indent = indent < 0 ? 0 : indent + BEST_INDENT;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            writeIndent();
            scalar(key(e.getKey()), true);
            writeIndicator(":", false, false, false);
            node(e.getValue(), true);
        }
        indent = saved;
    }

    private void sequence(List<?> list, boolean indentless) {
        int saved = indent;
        indent = indent < 0 ? 0 : indentless ? indent : indent + BEST_INDENT;
        for (Object item : list) {
            writeIndent();
            writeIndicator("-", true, false, true);
            node(item, false);
        }
        indent = saved;
    }

    private Object key(Object key) {
        if (key instanceof String s && symbolKeys) return new RubySymbol(s);
        if (key == null || key instanceof Map || key instanceof List) {
            throw new IllegalArgumentException("unsupported YAML key: " + Excerpt.of(key));
        }
        return key;
    }

    private void scalar(Object value, boolean simpleKey) {
        String text;
        PsychStyle requested;
        if (value instanceof String s) {
            text = s;
            requested = PsychStyle.requestedFor(s);
        } else {
            text = nonStringScalar(value);
            requested = PsychStyle.PLAIN;
        }
        ScalarAnalysis a = ScalarAnalysis.of(text);
        if (simpleKey && (a.multiline || text.length() > MAX_SIMPLE_KEY_LENGTH)) {
            throw new IllegalArgumentException("YAML key too long or multi-line: " + Excerpt.of(text));
        }
        PsychStyle style = select(requested, a, simpleKey);
        if (style != PsychStyle.PLAIN && !(value instanceof String)) {
            throw new IllegalArgumentException("cannot write as a plain scalar: " + Excerpt.of(text));
        }
        int saved = indent;
        indent = indent < 0 ? BEST_INDENT : indent + BEST_INDENT;
        switch (style) {
            case PLAIN -> writePlain(text, !simpleKey);
            case SINGLE_QUOTED -> writeSingleQuoted(text, !simpleKey);
            case DOUBLE_QUOTED -> writeDoubleQuoted(text, !simpleKey);
            case LITERAL -> writeLiteral(text);
        }
        indent = saved;
    }

    /** Psych's {@code to_s} forms of the non-string scalars it writes plain. */
    private static String nonStringScalar(Object value) {
        if (value == null) return "";
        if (value instanceof Integer || value instanceof Long || value instanceof Boolean
                || value instanceof RubySymbol || value instanceof BigInteger) { // a BigInteger: a request's id past 2^63
            return value.toString();
        }
        if (value instanceof Double d) return rubyFloat(d);
        if (value instanceof OffsetDateTime t) return RubyTimes.LOCAL.format(t);
        if (value instanceof Instant t) return RubyTimes.UTC.format(t.atOffset(ZoneOffset.UTC));
        throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as YAML");
    }

    /** Ruby's Float#to_s: shortest round-trip digits, scientific outside [1e-4, 1e16). */
    private static String rubyFloat(double d) {
        if (Double.isNaN(d)) return ".nan";
        if (Double.isInfinite(d)) return d > 0 ? ".inf" : "-.inf";
        double abs = Math.abs(d);
        if (abs == 0 || (abs >= 1e-4 && abs < 1e16)) {
            String plain = new BigDecimal(Double.toString(d)).toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String[] parts = Double.toString(d).split("E");
        int exponent = Integer.parseInt(parts[1]);
        // Locale.ROOT: ASCII digits whatever the JVM's locale (an Arabic one wrote 1.0e+٢٠)
        return parts[0] + "e" + (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }

    /** libyaml's {@code yaml_emitter_select_scalar_style} for block context. */
    private static PsychStyle select(PsychStyle requested, ScalarAnalysis a, boolean simpleKey) {
        PsychStyle style = requested;
        if (simpleKey && a.multiline) style = PsychStyle.DOUBLE_QUOTED;
        if (style == PsychStyle.PLAIN && (!a.blockPlainAllowed || (a.empty && simpleKey))) {
            style = PsychStyle.SINGLE_QUOTED;
        }
        if (style == PsychStyle.SINGLE_QUOTED && !a.singleQuotedAllowed) style = PsychStyle.DOUBLE_QUOTED;
        if (style == PsychStyle.LITERAL && (!a.blockAllowed || simpleKey)) style = PsychStyle.DOUBLE_QUOTED;
        return style;
    }

    private void writePlain(String s, boolean allowBreaks) {
        if (!whitespace && !s.isEmpty()) put(' ');
        int[] cps = s.codePoints().toArray();
        boolean spaces = false;
        for (int i = 0; i < cps.length; i++) {
            if (cps[i] == ' ') {
                boolean nextIsSpace = i + 1 < cps.length && cps[i + 1] == ' ';
                if (allowBreaks && !spaces && column > BEST_WIDTH && !nextIsSpace) writeIndent();
                else write(cps[i]);
                spaces = true;
            } else {
                write(cps[i]);
                indention = false;
                spaces = false;
            }
        }
        whitespace = false;
        indention = false;
    }

    private void writeSingleQuoted(String s, boolean allowBreaks) {
        writeIndicator("'", true, false, false);
        int[] cps = s.codePoints().toArray();
        boolean spaces = false, breaks = false;
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == ' ') {
                boolean nextIsSpace = i + 1 < cps.length && cps[i + 1] == ' ';
                if (allowBreaks && !spaces && column > BEST_WIDTH && i != 0 && i != cps.length - 1
                        && !nextIsSpace) {
                    writeIndent();
                } else {
                    write(c);
                }
                spaces = true;
            } else if (ScalarAnalysis.isBreak(c)) {
                if (!breaks && c == '\n') putBreak();
                writeBreak(c);
                indention = true;
                breaks = true;
            } else {
                if (breaks) writeIndent();
                write(c);
                if (c == '\'') write(c);
                indention = false;
                spaces = false;
                breaks = false;
            }
        }
        if (breaks) writeIndent();
        writeIndicator("'", false, false, false);
        whitespace = false;
        indention = false;
    }

    private void writeDoubleQuoted(String s, boolean allowBreaks) {
        writeIndicator("\"", true, false, false);
        int[] cps = s.codePoints().toArray();
        boolean spaces = false;
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (!ScalarAnalysis.isPrintable(c) || c == 0xFEFF || ScalarAnalysis.isBreak(c) || c == '"'
                    || c == '\\') {
                put('\\');
                escape(c);
                spaces = false;
            } else if (c == ' ') {
                if (allowBreaks && !spaces && column > BEST_WIDTH && i != 0 && i != cps.length - 1) {
                    writeIndent();
                    if (cps[i + 1] == ' ') put('\\');
                } else {
                    write(c);
                }
                spaces = true;
            } else {
                write(c);
                spaces = false;
            }
        }
        writeIndicator("\"", false, false, false);
        whitespace = false;
        indention = false;
    }

    /**
     * libyaml's escapes, except that U+2028/U+2029 are written {@code \\u2028}/{@code \\u2029} rather than
     * {@code \\L}/{@code \\P}: the same YAML, but snakeyaml-engine does not know the short forms.
     */
    private void escape(int c) {
        switch (c) {
            case 0x00 -> put('0');
            case 0x07 -> put('a');
            case 0x08 -> put('b');
            case 0x09 -> put('t');
            case 0x0A -> put('n');
            case 0x0B -> put('v');
            case 0x0C -> put('f');
            case 0x0D -> put('r');
            case 0x1B -> put('e');
            case '"' -> put('"');
            case '\\' -> put('\\');
            case 0x85 -> put('N');
            case 0xA0 -> put('_');
            default -> {
                String hex = Integer.toHexString(c).toUpperCase();
                int width = c <= 0xFF ? 2 : c <= 0xFFFF ? 4 : 8;
                put(width == 2 ? 'x' : width == 4 ? 'u' : 'U');
                for (int i = hex.length(); i < width; i++) put('0');
                for (char h : hex.toCharArray()) put(h);
            }
        }
    }

    private void writeLiteral(String s) {
        writeIndicator("|", true, false, false);
        int[] cps = s.codePoints().toArray();
        if (cps[0] == ' ' || ScalarAnalysis.isBreak(cps[0])) {
            writeIndicator(Integer.toString(BEST_INDENT), false, false, false);
        }
        boolean endsWithBreak = ScalarAnalysis.isBreak(cps[cps.length - 1]);
        boolean keep = endsWithBreak && (cps.length == 1 || ScalarAnalysis.isBreak(cps[cps.length - 2]));
        if (!endsWithBreak) writeIndicator("-", false, false, false);
        else if (keep) writeIndicator("+", false, false, false);
        putBreak();
        indention = true;
        whitespace = true;
        boolean breaks = true;
        for (int c : cps) {
            if (ScalarAnalysis.isBreak(c)) {
                writeBreak(c);
                indention = true;
                breaks = true;
            } else {
                if (breaks) writeIndent();
                write(c);
                indention = false;
                breaks = false;
            }
        }
        openEnded = keep;
    }

    private void writeIndicator(String indicator, boolean needWhitespace, boolean isWhitespace,
            boolean isIndention) {
        if (needWhitespace && !whitespace) put(' ');
        out.append(indicator);
        column += indicator.length();
        whitespace = isWhitespace;
        indention = indention && isIndention;
        openEnded = false;
    }

    private void writeIndent() {
        int target = Math.max(indent, 0);
        if (!indention || column > target || (column == target && !whitespace)) putBreak();
        while (column < target) put(' ');
        whitespace = true;
        indention = true;
        openEnded = false;
    }

    private void put(char c) {
        out.append(c);
        column++;
    }

    private void write(int codePoint) {
        out.appendCodePoint(codePoint);
        column++;
    }

    private void putBreak() {
        out.append('\n');
        column = 0;
    }

    /** libyaml writes a "\n" break as the emitter's line break and any other break character as is. */
    private void writeBreak(int c) {
        if (c == '\n') putBreak();
        else {
            out.appendCodePoint(c);
            column = 0;
        }
    }

    /** Ruby's Time#to_s forms; built on first use, since most replies and every hand-over carry no time. */
    private static final class RubyTimes {
        static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS xxx");
        static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS 'Z'");
    }
}
