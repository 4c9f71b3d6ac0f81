package dev.einhorn.protocol;

/**
 * Einhorn's wire framing: one record per line; inside a record {@code %} is {@code %25} and a newline is
 * {@code %0A} (reference section 3.1).
 */
public final class Framing {
    private Framing() {}

    /** The longest line (request) the master accepts; a longer one closes the connection. */
    public static final int MAX_LINE_BYTES = 1 << 20;

    /** Escapes a YAML document and appends the terminating newline. */
    public static String encode(String document) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Unescapes one received line (without its newline; a trailing \r is dropped). */
    public static String decode(String line) {
        throw new UnsupportedOperationException("TODO");
    }
}
