package dev.einhorn.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Ruby's {@code Shellwords.shellsplit}, which einhornsh uses on each command: whitespace separates words;
 * 'single quotes' are literal; "double quotes" unescape only \$ \` \" \\ and backslash-newline; a bare
 * backslash escapes the next character; adjacent pieces join into one word.
 */
final class ShellWords {
    private ShellWords() {}

    /** Thrown for an unmatched quote, with Ruby's message. */
    static final class UnmatchedQuoteException extends IllegalArgumentException {
        UnmatchedQuoteException(String line) {
            super("Unmatched quote: " + dev.einhorn.protocol.RubyInspect.inspect(line));
        }
    }

    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean inWord = false;
        int i = 0, n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (isSpace(c)) {
                if (inWord) {
                    words.add(field.toString());
                    field.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) throw new UnmatchedQuoteException(line);
                field.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i + 1, field);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 < n) field.append(line.charAt(i + 1));
                else field.append('\\');
                inWord = true;
                i += 2;
            } else {
                field.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) words.add(field.toString());
        return words;
    }

    /** Appends a double-quoted piece starting after its opening quote; returns the index after its close. */
    private static int doubleQuoted(String line, int start, StringBuilder field) {
        for (int i = start; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') return i + 1;
            if (c == '\\' && i + 1 < line.length()) {
                char next = line.charAt(++i);
                if ("$`\"\\\n".indexOf(next) < 0) field.append('\\');
                field.append(next);
            } else {
                field.append(c);
            }
        }
        throw new UnmatchedQuoteException(line);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }
}
