package dev.einhorn.protocol;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Ruby's {@code inspect} and class names for loaded YAML values, for the messages Einhorn builds from
 * them ({@code Received command: {"command"=>"louder", "id"=>15}}, {@code Argument is a Integer, not a
 * string: 3}, einhornsh's {@code Invalid response type Array: [1, 2]}). Ruby 3.1 formatting.
 */
public final class RubyInspect {
    private RubyInspect() {}

    /** The Ruby class a loaded value would have had under Psych. */
    public static String className(Object value) {
        if (value == null) return "NilClass";
        if (value instanceof String) return "String";
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) return "Integer";
        if (value instanceof Double) return "Float";
        if (value instanceof Boolean b) return b ? "TrueClass" : "FalseClass";
        if (value instanceof List) return "Array";
        if (value instanceof Map) return "Hash";
        if (value instanceof RubySymbol) return "Symbol";
        return value.getClass().getSimpleName();
    }

    public static String inspect(Object value) {
        if (value == null) return "nil";
        if (value instanceof String s) return inspectString(s);
        if (value instanceof List<?> list) {
            return list.stream().map(RubyInspect::inspect).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream()
                    .map(e -> inspect(e.getKey()) + "=>" + inspect(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return value.toString();
    }

    private static String inspectString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case 0x1B -> b.append("\\e");
                case 0x07 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case 0x0B -> b.append("\\v");
                case '#' -> b.append(i < s.length() && "{$@".indexOf(s.charAt(i)) >= 0 ? "\\#" : "#");
                default -> {
                    // other C0 controls, DEL, C1 controls (NEL), line and paragraph separators: Ruby writes a UTF-8
                    // string's unprintable characters as a backslash, u and four hex digits (string.c,
                    // rb_str_buf_cat_escaped_char); a log viewer may break lines at some of them
                    boolean unprintable = c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029;
                    if (unprintable) b.append(String.format("\\u%04X", c));
                    else b.appendCodePoint(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
