package dev.einhorn.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected values are Ruby's {@code Shellwords.shellsplit} results. */
class ShellWordsTest {
    @Test
    void splitsLikeRubyShellwords() {
        assertEquals(List.of("set_workers", "3", "a b"), ShellWords.split(" set_workers 3 'a b' "));
        assertEquals(List.of("a\"b", "c d", "e\\f", "g$h"), ShellWords.split("a\\\"b \"c d\" \"e\\f\" \"g\\$h\""));
        assertEquals(List.of("abc", "x y"), ShellWords.split("a'b'\"c\" x\\ y"));
        assertEquals(List.of(), ShellWords.split("  \t "));
        assertEquals(List.of(""), ShellWords.split("''"));
    }

    @Test
    void unmatchedQuotesAreErrors() {
        assertEquals("Unmatched quote: \"a 'b\"",
                assertThrows(ShellWords.UnmatchedQuoteException.class, () -> ShellWords.split("a 'b")).getMessage());
        assertThrows(ShellWords.UnmatchedQuoteException.class, () -> ShellWords.split("\"a"));
    }
}
