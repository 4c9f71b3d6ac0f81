package dev.einhorn.posix;

import java.util.Optional;

/** Linux signal names and numbers (x86_64/aarch64 share these). Names are without the SIG prefix. */
public final class Signals {
    private Signals() {}

    /** "USR2" -> 12; accepts "sigusr2", "SIGUSR2", "usr2", and decimal numbers. */
    public static Optional<Integer> number(String name) {
        throw new UnsupportedOperationException("TODO");
    }

    /** 12 -> "USR2". */
    public static String name(int number) {
        return String.valueOf(number);
    }
}
