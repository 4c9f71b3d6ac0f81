package dev.einhorn.protocol;

/**
 * Einhorn's wire framing: one record per line; inside a record {@code %} is {@code %25} and a newline is
 * {@code %0A} (docs/COMPATIBILITY.md#framing). Only those two are escaped, exactly as Ruby's
 * {@code Einhorn::Client::Transport} does, so every known client (einhornsh, {@code Einhorn::Worker},
 * go-einhorn, plain one-line JSON) reads and writes the same bytes.
 */
public final class Framing {
    private Framing() {}

    /** The longest line (request) the master accepts; a longer one closes the connection. */
    public static final int MAX_LINE_BYTES = 1 << 20;

    /**
     * The longest reply line a client (einhornsh) reads: a message of up to {@link Replies#MAX_MESSAGE_CHARS}
     * characters, escaped by YAML (a control character becomes {@code \\u0001}, six bytes) and by this framing.
     * A reply the master may send must never be too long for its own client.
     */
    public static final int MAX_REPLY_LINE_BYTES = 8 * Replies.MAX_MESSAGE_CHARS;

    /** Escapes a YAML document and appends the terminating newline. */
    public static String encode(String document) {
        return document.replace("%", "%25").replace("\n", "%0A") + "\n";
    }

    /**
     * Unescapes one received line (without its newline; a trailing \r is dropped). The order of the two
     * replacements is Ruby's ({@code %0A} first): it is equivalent to a left-to-right scan, since neither
     * replacement can create an occurrence of the other.
     */
    public static String decode(String line) {
        String body = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        return body.replace("%0A", "\n").replace("%25", "%");
    }
}
