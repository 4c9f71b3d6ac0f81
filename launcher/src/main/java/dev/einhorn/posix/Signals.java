package dev.einhorn.posix;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Linux signal names and numbers (x86_64/aarch64 share these). Names are without the SIG prefix.
 * Accepts the same names as Ruby's {@code Signal.list} on Linux (so Einhorn configs keep working);
 * realtime signals are not named.
 */
public final class Signals {
    public static final int HUP = 1, INT = 2, QUIT = 3, KILL = 9, USR1 = 10, USR2 = 12, PIPE = 13,
            ALRM = 14, TERM = 15, CHLD = 17, CONT = 18, TTIN = 21, TTOU = 22, WINCH = 28;

    /**
     * The signals the master handles (docs/SIGNALS.md): queued for its loop, and blocked across a re-exec until the
     * next image's handlers are in. QUIT is the JVM's (thread dump) and cannot be taken.
     */
    public static final List<String> HANDLED_BY_MASTER = List.of("INT", "TERM", "USR2", "HUP", "ALRM", "CHLD", "TTIN",
            "TTOU");

    private static final String[] CANONICAL = {
        "EXIT", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
        "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    private static final Map<String, Integer> BY_NAME = new LinkedHashMap<>();

    static {
        for (int i = 0; i < CANONICAL.length; i++) {
            BY_NAME.put(CANONICAL[i], i);
        }
        // Aliases Ruby's Signal.list also accepts.
        BY_NAME.put("IOT", 6);
        BY_NAME.put("CLD", 17);
        BY_NAME.put("POLL", 29);
    }

    private Signals() {}

    /** "USR2" -> 12; accepts "sigusr2", "SIGUSR2", "usr2", "Usr2", and decimal numbers (0..31). */
    public static Optional<Integer> number(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String s = name.trim().toUpperCase(Locale.ROOT);
        if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                int n = Integer.parseInt(s);
                return n < CANONICAL.length ? Optional.of(n) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        return Optional.ofNullable(BY_NAME.get(s));
    }

    /** 12 -> "USR2"; numbers without a name come back as decimal text. */
    public static String name(int number) {
        return number >= 0 && number < CANONICAL.length ? CANONICAL[number] : String.valueOf(number);
    }
}
