package dev.einhorn.cli;

import dev.einhorn.config.BindSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code -b HOST:PORT[,FLAG...]}. A superset of Einhorn's form: IPv6 literals in brackets
 * ({@code [::1]:8080}, stored without brackets), and an unknown flag is an error instead of being
 * silently ignored (Einhorn issue #45: {@code ,rn} meant no flag at all). Flags are case-insensitive and
 * stored downcased; empty flags ({@code 1.2.3.4:80,,r,}) are dropped.
 */
public final class BindSpecParser {
    /** Accepted flags, in the order the error message lists them. */
    public static final List<String> FLAGS = List.of("r", "so_reuseaddr", "n", "o_nonblock", "so_reuseport");

    private static final Pattern FORM = Pattern.compile(
            "(?:\\[([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[\\w.-]+)?)\\]|([^:\\[\\],\\s]+)):(\\d+)((?:,[^,]*)*)");

    private BindSpecParser() {}

    /**
     * @param spec the argument of {@code -b}
     * @throws IllegalArgumentException with a one-line message that starts with the quoted spec, e.g.
     *     {@code "127.0.0.1": bind address must be of the form HOST:PORT[,FLAG...] (IPv6: [ADDR]:PORT)}
     */
    public static BindSpec parse(String spec) {
        Matcher m = FORM.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException(ShellWords.quote(spec)
                    + ": bind address must be of the form HOST:PORT[,FLAG...] (IPv6: [ADDR]:PORT)");
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        int port = port(spec, m.group(3));
        List<String> flags = splitFlags(m.group(4));
        for (String flag : flags) {
            if (!FLAGS.contains(flag)) {
                throw new IllegalArgumentException(ShellWords.quote(spec) + ": unknown flag " + ShellWords.quote(flag)
                        + " (valid: " + String.join(", ", FLAGS) + "; separate flags with commas)");
            }
        }
        return of(host, port, flags);
    }

    /** Builds a spec from already split parts; flags other than the known ones are kept but do nothing. */
    static BindSpec of(String host, int port, List<String> flags) {
        boolean reuseAddr = flags.contains("r") || flags.contains("so_reuseaddr");
        boolean nonBlock = flags.contains("n") || flags.contains("o_nonblock");
        boolean reusePort = flags.contains("so_reuseport");
        return new BindSpec(host, port, flags, reuseAddr, nonBlock, reusePort);
    }

    /** ",R,,n" -> [r, n]. */
    static List<String> splitFlags(String commaFlags) {
        List<String> flags = new ArrayList<>();
        for (String f : commaFlags.split(",", -1)) {
            if (!f.isEmpty()) flags.add(f.toLowerCase(Locale.ROOT));
        }
        return flags;
    }

    static int port(String spec, String digits) {
        String trimmed = digits.replaceFirst("^0+(?=\\d)", "");
        if (trimmed.length() > 5 || Integer.parseInt(trimmed) > 65535) {
            throw new IllegalArgumentException(
                    ShellWords.quote(spec) + ": port " + digits + " is out of range (0-65535)");
        }
        return Integer.parseInt(trimmed);
    }
}
