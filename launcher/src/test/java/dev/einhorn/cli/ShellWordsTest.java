package dev.einhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected values are what Ruby's Shellwords.shellsplit returns, except for backslash-newline (removed). */
class ShellWordsTest {
    @Test
    void words() {
        assertEquals(List.of("env", "VAR=a", "einhorn"), ShellWords.split("env VAR=a einhorn"));
        assertEquals(List.of("a", "b"), ShellWords.split("  a \t b\n "));
        assertEquals(List.of(), ShellWords.split(""));
        assertEquals(List.of(), ShellWords.split("   "));
    }

    @Test
    void quotes() {
        assertEquals(List.of("a b", "c"), ShellWords.split("'a b' c"));
        assertEquals(List.of("a \\n $x"), ShellWords.split("'a \\n $x'"));
        assertEquals(List.of("VAR=b c"), ShellWords.split("VAR='b c'"));
        assertEquals(List.of("ab cd"), ShellWords.split("a'b c'd"));
        assertEquals(List.of("x", ""), ShellWords.split("x ''"));
        assertEquals(List.of(""), ShellWords.split("\"\""));
    }

    @Test
    void doubleQuotesEscapeOnlyFiveCharacters() {
        assertEquals(List.of("say \"hi\" $HOME \\ `x` \\n"), ShellWords.split("\"say \\\"hi\\\" \\$HOME \\\\ \\`x\\` \\n\""));
        assertEquals(List.of("ab"), ShellWords.split("\"a\\\nb\""));
        assertEquals(List.of("a\\\nb"), ShellWords.split("\"a\\\\\nb\""));
    }

    @Test
    void backslashOutsideQuotes() {
        assertEquals(List.of("my app"), ShellWords.split("my\\ app"));
        assertEquals(List.of("'", "\""), ShellWords.split("\\' \\\""));
        assertEquals(List.of("a\\"), ShellWords.split("a\\"));
        assertEquals(List.of("ab"), ShellWords.split("a\\\nb"));
    }

    @Test
    void unmatchedQuote() {
        assertEquals("unmatched quote in \"a 'b\"",
                assertThrows(IllegalArgumentException.class, () -> ShellWords.split("a 'b")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split("\"abc"));
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split("a\"b"));
    }
}
