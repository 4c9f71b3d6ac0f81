package dev.einhorn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a string into words like a POSIX shell does, without expansions: a port of Ruby's
 * {@code Shellwords.shellsplit}, which Einhorn uses for {@code --reexec-as}. Single quotes keep
 * everything literally; inside double quotes a backslash escapes only {@code $ ` " \} and newline;
 * outside quotes a backslash escapes any character. Adjacent pieces join into one word
 * ({@code a'b c'd} is {@code ab cd}). One deliberate difference: a backslash-newline is a line
 * continuation and disappears, in double quotes and outside them, as in a POSIX shell.
 */
public final class ShellWords {
    private static final Pattern TOKEN = Pattern.compile(
            "\\G\\s*(?>([^\\s\\\\'\"]+)|'([^']*)'|\"((?:[^\"\\\\]|\\\\.)*)\"|(\\\\.?)|(\\S))(\\s|\\z)?",
            Pattern.DOTALL);
    private static final Pattern DQ_ESCAPE = Pattern.compile("\\\\([$`\"\\\\\n])");
    private static final Pattern ANY_ESCAPE = Pattern.compile("\\\\(.)", Pattern.DOTALL);

    private ShellWords() {}

    /** @throws IllegalArgumentException on an unmatched quote */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        Matcher m = TOKEN.matcher(line);
        while (m.find()) {
            if (m.group(5) != null) throw new IllegalArgumentException("unmatched quote in " + quote(line));
            if (m.group(1) != null) {
                field.append(m.group(1));
            } else if (m.group(2) != null) {
                field.append(m.group(2));
            } else if (m.group(3) != null) {
                field.append(DQ_ESCAPE.matcher(m.group(3)).replaceAll(
                        e -> e.group(1).equals("\n") ? "" : Matcher.quoteReplacement(e.group(1))));
            } else if (!m.group(4).equals("\\\n")) {
                field.append(ANY_ESCAPE.matcher(m.group(4)).replaceAll("$1"));
            }
            if (m.group(6) != null) {
                words.add(field.toString());
                field.setLength(0);
            }
        }
        return words;
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
