package dev.einhorn.protocol;

import java.util.regex.Pattern;

/**
 * A Ruby symbol for {@link Yaml#dump}: written as Psych writes {@code :name} (a plain scalar with a leading
 * colon), e.g. the {@code :worker} in {@code :type: :worker} of the {@code state} dump. Ruby clients load it
 * back as a Symbol, everything else as the string {@code ":name"}.
 *
 * <p>Only identifier-like names are allowed, so the scalar is always plain and never needs Psych's
 * {@code !} tag for quoted symbols.
 *
 * @param name the symbol's name, without the colon
 */
public record RubySymbol(String name) {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*[?!]?");

    public RubySymbol {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a simple Ruby symbol name: " + name);
        }
    }

    /** The scalar as it appears in YAML. */
    @Override
    public String toString() {
        return ":" + name;
    }
}
