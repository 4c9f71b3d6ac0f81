package dev.einhorn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Results as JSON: a small writer for maps, lists, strings, numbers; read back with a YAML 1.2 loader. */
public final class BenchJson {
    private BenchJson() {
    }

    public static String write(Object o) {
        StringBuilder b = new StringBuilder();
        write(b, o, 0);
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object o, int indent) {
        if (o == null) {
            b.append("null");
        } else if (o instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append("{\n");
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                b.append("  ".repeat(indent + 1));
                string(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue(), indent + 1);
                if (it.hasNext()) b.append(',');
                b.append('\n');
            }
            b.append("  ".repeat(indent)).append('}');
        } else if (o instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) b.append(", ");
                write(b, l.get(i), indent + 1);
            }
            b.append(']');
        } else if (o instanceof double[] d) {
            b.append('[');
            for (int i = 0; i < d.length; i++) {
                if (i > 0) b.append(", ");
                write(b, d[i], indent);
            }
            b.append(']');
        } else if (o instanceof Double || o instanceof Float) {
            double d = ((Number) o).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) b.append("null");
            else b.append(Double.toString(d));
        } else if (o instanceof Number || o instanceof Boolean) {
            b.append(o);
        } else {
            string(b, String.valueOf(o));
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    public static Object parse(String text) {
        return new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(Path p) throws IOException {
        return (Map<String, Object>) parse(Files.readString(p));
    }

    public static void write(Path p, Object o) throws IOException {
        Files.createDirectories(p.toAbsolutePath().getParent());
        Files.writeString(p, write(o));
    }
}
