package dev.einhorn.protocol;

import java.util.Map;

/**
 * YAML in and out. In: a safe loader (maps, lists, strings, numbers, booleans, null; no tags, no
 * aliases beyond a small budget) for requests in YAML block, YAML flow or JSON form. Out: Psych-style
 * {@code YAML.dump} of string/int/boolean/list/map values, as Einhorn's master and clients write them.
 */
public final class Yaml {
    private Yaml() {}

    /** Parses one decoded request; throws if it is not valid YAML or not a mapping. */
    public static Map<String, Object> parseMapping(String document) throws ParseException {
        throw new UnsupportedOperationException("TODO");
    }

    /** {@code YAML.dump} of a value: starts with "---", ends with "\n". Keys in iteration order. */
    public static String dump(Object value) {
        throw new UnsupportedOperationException("TODO");
    }
}
