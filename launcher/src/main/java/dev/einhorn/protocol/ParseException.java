package dev.einhorn.protocol;

/** A request line that is not a YAML/JSON mapping. */
public class ParseException extends Exception {
    public ParseException(String message) {
        super(message);
    }
}
