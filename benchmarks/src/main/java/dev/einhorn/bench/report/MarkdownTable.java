package dev.einhorn.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A GitHub-flavoured Markdown table: cells escaped, numeric columns right-aligned. */
public final class MarkdownTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public MarkdownTable(String... header) {
        this.header = List.of(header);
    }

    public MarkdownTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header has " + header.size());
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) r.add(cell(c));
        rows.add(r);
        return this;
    }

    public int size() {
        return rows.size();
    }

    /** Numbers: integers as is, others with up to 3 significant decimals; null as an em dash. */
    static String cell(Object c) {
        if (c == null) return "—";
        if (c instanceof Double d || c instanceof Float) {
            double v = ((Number) c).doubleValue();
            if (Double.isNaN(v)) return "—";
            return fmt(v);
        }
        return String.valueOf(c).replace("|", "\\|").replace("\n", " ");
    }

    public static String fmt(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "—";
        double a = Math.abs(v);
        String s;
        if (a >= 100) s = String.format(Locale.ROOT, "%.0f", v);
        else if (a >= 10) s = String.format(Locale.ROOT, "%.1f", v);
        else if (a >= 1) s = String.format(Locale.ROOT, "%.2f", v);
        else s = String.format(Locale.ROOT, "%.3f", v);
        return s;
    }

    private static boolean numeric(String s) {
        return s.matches("-?[0-9][0-9.,]*( ?[a-zA-Z%×x/]+)?") || s.equals("—");
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        b.append("| ").append(String.join(" | ", header.stream().map(MarkdownTable::cell).toList())).append(" |\n");
        b.append('|');
        for (int i = 0; i < header.size(); i++) {
            final int col = i;
            boolean right = !rows.isEmpty() && rows.stream().allMatch(r -> numeric(r.get(col)));
            b.append(right ? "---:|" : "---|");
        }
        b.append('\n');
        for (List<String> r : rows) b.append("| ").append(String.join(" | ", r)).append(" |\n");
        return b.toString();
    }
}
