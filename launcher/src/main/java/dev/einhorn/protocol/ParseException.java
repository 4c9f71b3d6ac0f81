package dev.einhorn.protocol;

/** A line that is not valid YAML, or (for {@link Yaml#parseMapping}) not a YAML/JSON mapping. */
public class ParseException extends Exception {
    public ParseException(String message) {
        super(message);
    }
}
