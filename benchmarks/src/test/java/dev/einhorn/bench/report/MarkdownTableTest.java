package dev.einhorn.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MarkdownTableTest {
    @Test
    void rendersNumericColumnsRightAligned() {
        String md = new MarkdownTable("variant", "median ms", "ratio")
                .row("plain17", 412.345, "1.32×")
                .row("a|b", Double.NaN, null)
                .render();
        assertEquals("""
                | variant | median ms | ratio |
                |---|---:|---:|
                | plain17 | 412 | 1.32× |
                | a\\|b | — | — |
                """, md);
    }

    @Test
    void formatsBySize() {
        assertEquals("1234", MarkdownTable.fmt(1234.4));
        assertEquals("12.3", MarkdownTable.fmt(12.34));
        assertEquals("1.23", MarkdownTable.fmt(1.234));
        assertEquals("0.123", MarkdownTable.fmt(0.1234));
        assertEquals("—", MarkdownTable.fmt(Double.NaN));
    }

    @Test
    void integersStayIntegersAndRowsMustFit() {
        assertEquals("| n |\n|---:|\n| 8 |\n", new MarkdownTable("n").row(8).render());
        assertThrows(IllegalArgumentException.class, () -> new MarkdownTable("a", "b").row(1));
    }
}
