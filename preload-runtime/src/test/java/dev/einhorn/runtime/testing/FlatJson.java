package dev.einhorn.runtime.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses one flat JSON object (string, integer, true/false/null values) or one JSON string; for tests. */
public final class FlatJson {
    private final String s;
    private int i;

    private FlatJson(String s) {
        this.s = s;
    }

    public static Map<String, Object> object(String json) {
        FlatJson p = new FlatJson(json.trim());
        Map<String, Object> m = p.parseObject();
        p.ws();
        if (p.i != p.s.length()) {
            throw new IllegalArgumentException("trailing text in " + json);
        }
        return m;
    }

    public static String string(String json) {
        FlatJson p = new FlatJson(json.trim());
        return p.parseString();
    }

    private Map<String, Object> parseObject() {
        Map<String, Object> m = new LinkedHashMap<>();
        expect('{');
        ws();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            ws();
            String k = parseString();
            ws();
            expect(':');
            ws();
            m.put(k, parseValue());
            ws();
            char c = s.charAt(i++);
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw new IllegalArgumentException("expected , or } at " + (i - 1) + " in " + s);
            }
        }
    }

    private Object parseValue() {
        char c = peek();
        if (c == '"') {
            return parseString();
        }
        if (s.startsWith("true", i)) {
            i += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("false", i)) {
            i += 5;
            return Boolean.FALSE;
        }
        if (s.startsWith("null", i)) {
            i += 4;
            return null;
        }
        int start = i;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '-')) {
            i++;
        }
        if (start == i) {
            throw new IllegalArgumentException("unexpected value at " + i + " in " + s);
        }
        return Long.parseLong(s.substring(start, i));
    }

    private String parseString() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                default: b.append(e);
            }
        }
    }

    private char peek() {
        return s.charAt(i);
    }

    private void expect(char c) {
        if (i >= s.length() || s.charAt(i) != c) {
            throw new IllegalArgumentException("expected " + c + " at " + i + " in " + s);
        }
        i++;
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }
}
