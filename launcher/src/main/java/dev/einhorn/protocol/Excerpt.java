package dev.einhorn.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A client's value quoted in a log line or a reply: Ruby's {@code inspect} of it (control characters escaped,
 * so a request cannot end a log line, forge the next one or drive a terminal), cut after
 * {@value #MAX_CHARS} characters with {@code ... (N bytes)}. Any local user may send a 1 MiB line; quoted
 * whole, a thousand of them would flood the master's log (docs/PROTOCOL.md, "Bounds"). Up to the bound the
 * text is exactly Ruby's.
 */
public final class Excerpt {
    /** The most characters of a client's text (a string) or of a value's inspect form (anything else) quoted. */
    public static final int MAX_CHARS = 200;

    private Excerpt() {}

    /**
     * {@code RubyInspect.inspect(value)}, or, past the bound, the inspect form of the first {@value #MAX_CHARS}
     * characters of a string (of the inspect form, for anything else) then {@code ... (N bytes)}: N the UTF-8
     * size of the string as sent (of the whole inspect form).
     */
    public static String of(Object value) {
        if (value instanceof String s) {
            return s.length() <= MAX_CHARS ? RubyInspect.inspect(s)
                    : RubyInspect.inspect(s.substring(0, cut(s))) + suffix(s);
        }
        String text = RubyInspect.inspect(value);
        return text.length() <= MAX_CHARS ? text : text.substring(0, cut(text)) + suffix(text);
    }

    /**
     * A client's text where Ruby interpolates it raw (set_workers' {@code Invalid count: 'ARG'}): as it is when
     * it is short and has no control character, so the usual reply stays Ruby's byte for byte; else {@link #of}.
     */
    public static String bounded(String text) {
        if (text.length() <= MAX_CHARS && text.codePoints().noneMatch(Excerpt::needsEscape)) return text;
        return of(text);
    }

    private static boolean needsEscape(int cp) {
        return Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029;
    }

    /** Where to cut: after MAX_CHARS characters, never between the two halves of a surrogate pair. */
    private static int cut(String s) {
        return Character.isHighSurrogate(s.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
    }

    private static String suffix(String whole) {
        return "... (" + whole.getBytes(StandardCharsets.UTF_8).length + " bytes)";
    }
}
