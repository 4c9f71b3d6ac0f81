package dev.einhorn.cli;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The CLI's own check of a signal name for {@code --graceful-signal} (Linux numbering). Kept local so the
 * parser does not depend on {@code dev.einhorn.posix}.
 */
final class SignalNames {
    /** Index = Linux signal number (x86_64 and aarch64). */
    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS",
            "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP",
            "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    private SignalNames() {}

    /**
     * "usr2", "SIGUSR2", "USR2", "12" -> "USR2"; also the aliases IOT, CLD, POLL. Empty for anything else.
     */
    static Optional<String> canonical(String name) {
        String s = name.trim().toUpperCase(Locale.ROOT);
        if (s.matches("\\d{1,2}")) {
            int n = Integer.parseInt(s);
            return n >= 1 && n < NAMES.size() ? Optional.of(NAMES.get(n)) : Optional.empty();
        }
        if (s.startsWith("SIG")) s = s.substring(3);
        switch (s) {
            case "IOT": return Optional.of("ABRT");
            case "CLD": return Optional.of("CHLD");
            case "POLL": return Optional.of("IO");
            default: break;
        }
        return s.isEmpty() || !NAMES.contains(s) ? Optional.empty() : Optional.of(s);
    }
}
