package dev.einhorn.cli;

import dev.einhorn.config.BindSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code -b HOST:PORT[,FLAG...]}, {@code -b /PATH[,FLAG...]} (a UNIX-domain socket: the value starts
 * with {@code /} or {@code ./}; flags {@code n}, {@code o_nonblock} and {@code mode=OCTAL}, e.g.
 * {@code mode=0660}) and {@code -b name:NAME[,n]} (the systemd socket whose {@code FileDescriptorName=} is
 * NAME; a NAME of digits only is a port, so {@code name:80} stays host "name", port 80).
 * Internet specs: A superset of Einhorn's form: IPv6 literals in brackets
 * ({@code [::1]:8080}, stored without brackets), and an unknown flag is an error instead of being
 * silently ignored (Einhorn issue #45: {@code ,rn} meant no flag at all). Flags are case-insensitive and
 * stored downcased; empty flags ({@code 1.2.3.4:80,,r,}) are dropped.
 */
public final class BindSpecParser {
    /** Accepted flags, in the order the error message lists them. */
    public static final List<String> FLAGS = List.of("r", "so_reuseaddr", "n", "o_nonblock", "so_reuseport");

    private static final Pattern FORM = Pattern.compile(
            "(?:\\[([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[\\w.-]+)?)\\]|([^:\\[\\],\\s]+)):(\\d+)((?:,[^,]*)*)");

    /** Flags a UNIX-domain spec accepts besides {@code mode=OCTAL}. */
    public static final List<String> UNIX_FLAGS = List.of("n", "o_nonblock");

    private static final Pattern NAMED = Pattern.compile("name:([^,:\\s]*[^,:\\s\\d][^,:\\s]*)((?:,[^,]*)*)");
    private static final Pattern MODE = Pattern.compile("mode=([0-7]{3,4})");

    private BindSpecParser() {}

    /** {@code /run/app.sock,mode=0660,n}: the path is everything before the first comma. */
    static BindSpec unix(String spec) {
        int comma = spec.indexOf(',');
        String path = comma < 0 ? spec : spec.substring(0, comma);
        List<String> flags = splitFlags(comma < 0 ? "" : spec.substring(comma));
        if (path.equals("/") || path.equals("./") || path.endsWith("/")) {
            throw new IllegalArgumentException(ShellWords.quote(spec) + ": a UNIX socket path must name a file");
        }
        if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw new IllegalArgumentException(ShellWords.quote(spec)
                    + ": a UNIX socket path must be at most 107 bytes long");
        }
        Integer mode = null;
        for (String flag : flags) {
            Matcher m = MODE.matcher(flag);
            if (m.matches()) {
                mode = Integer.parseInt(m.group(1), 8);
                if (mode > 0777) {
                    throw new IllegalArgumentException(ShellWords.quote(spec) + ": " + flag
                            + " sets more than the permission bits (at most mode=0777)");
                }
            } else if (flag.startsWith("mode")) {
                throw new IllegalArgumentException(ShellWords.quote(spec) + ": " + ShellWords.quote(flag)
                        + ": the mode must be octal permission bits, e.g. mode=0660");
            } else if (!UNIX_FLAGS.contains(flag)) {
                throw new IllegalArgumentException(ShellWords.quote(spec) + ": unknown flag for a UNIX socket "
                        + ShellWords.quote(flag) + " (valid: " + String.join(", ", UNIX_FLAGS)
                        + ", mode=OCTAL; separate flags with commas)");
            }
        }
        boolean nonBlock = flags.contains("n") || flags.contains("o_nonblock");
        return new BindSpec(null, 0, flags, false, nonBlock, false, path, mode, null);
    }

    static BindSpec named(String spec, String name, List<String> flags) {
        for (String flag : flags) {
            if (!UNIX_FLAGS.contains(flag)) {
                throw new IllegalArgumentException(ShellWords.quote(spec) + ": unknown flag for a systemd socket "
                        + ShellWords.quote(flag) + " (valid: " + String.join(", ", UNIX_FLAGS) + ")");
            }
        }
        boolean nonBlock = flags.contains("n") || flags.contains("o_nonblock");
        return new BindSpec(null, 0, flags, false, nonBlock, false, null, null, name);
    }

    /** The forms of {@code -b}, named in the error: {@code -b app.sock} is not a UNIX socket without its {@code ./}. */
    static final String FORMS =
            "HOST:PORT[,FLAG...] (IPv6: [ADDR]:PORT; a UNIX socket: /PATH or ./PATH; a systemd socket: name:NAME)";

    /**
     * @param spec the argument of {@code -b}
     * @throws IllegalArgumentException with a one-line message that starts with the quoted spec, e.g.
     *     {@code "127.0.0.1": bind address must be of the form HOST:PORT[,FLAG...] (IPv6: [ADDR]:PORT; a UNIX
     *     socket: /PATH or ./PATH; a systemd socket: name:NAME)}
     */
    public static BindSpec parse(String spec) {
        if (spec.startsWith("/") || spec.startsWith("./")) return unix(spec);
        Matcher named = NAMED.matcher(spec);
        if (named.matches()) return named(spec, named.group(1), splitFlags(named.group(2)));
        Matcher m = FORM.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException(ShellWords.quote(spec)
                    + ": bind address must be of the form " + FORMS);
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
