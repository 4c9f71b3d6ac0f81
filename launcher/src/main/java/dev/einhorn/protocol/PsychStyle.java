package dev.einhorn.protocol;

import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * The scalar style Psych (Ruby 3.1's psych 4 {@code YAMLTree#visit_String}) requests for a string, before
 * libyaml's emitter filters it. Psych quotes a string whenever its own {@code ScalarScanner} would read
 * the plain form back as something else (a number, boolean, null, time, symbol); we also quote when our
 * own loader's YAML 1.2 core schema would (e.g. {@code 1e5}), so {@code parse(dump(s))} is always
 * {@code s}. Psych's {@code !binary} form for strings with NUL or mostly-unprintable bytes is not
 * reproduced: such strings are double-quoted with escapes instead, which every YAML reader accepts.
 */
enum PsychStyle {
    PLAIN, SINGLE_QUOTED, DOUBLE_QUOTED, LITERAL;

    private static final int RUBY_LINES = Pattern.MULTILINE | Pattern.UNIX_LINES;
    private static final Pattern INNER_NEWLINE = Pattern.compile("\n(?!\\Z)", Pattern.UNIX_LINES);
    private static final Pattern LEADING_NON_WORD = Pattern.compile("^\\W[^\"]*$",
            RUBY_LINES | Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern BAD_OCTAL = Pattern.compile("\\A0[0-7]*[89]");

    // Psych::ScalarScanner#tokenize, in its order; each pattern that matches means "not a String".
    private static final Pattern STRINGISH = Pattern.compile(
            "^[^\\d.:-]?[\\p{IsAlphabetic}_\\s!@#$%^&*(){}<>|/\\\\~;=]+", RUBY_LINES);
    private static final Pattern NOT_YTONF = Pattern.compile("^[^ytonf~]", RUBY_LINES | Pattern.CASE_INSENSITIVE);
    private static final Pattern NULL_OR_BOOL = Pattern.compile(
            "^(~|null|yes|true|on|no|false|off)$", RUBY_LINES | Pattern.CASE_INSENSITIVE);
    private static final Pattern[] NON_STRING = {
        Pattern.compile("^-?\\d{4}-\\d{1,2}-\\d{1,2}(?:[Tt]|\\s+)\\d{1,2}:\\d\\d:\\d\\d(?:\\.\\d*)?"
                + "(?:\\s*(?:Z|[-+]\\d{1,2}:?(?:\\d\\d)?))?$", RUBY_LINES),
        Pattern.compile("^\\d{4}-(?:1[012]|0\\d|\\d)-(?:[12]\\d|3[01]|0\\d|\\d)$", RUBY_LINES),
        Pattern.compile("^[-+]?\\.inf$|^\\.nan$", RUBY_LINES | Pattern.CASE_INSENSITIVE),
        Pattern.compile("^:.", RUBY_LINES),
        Pattern.compile("^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?$", RUBY_LINES),
        Pattern.compile("^(?:[-+]?([0-9][0-9_,]*)?\\.[0-9]*([eE][-+][0-9]+)?)$", RUBY_LINES),
        Pattern.compile("^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9][0-9_,]*)|[-+]?0x[0-9a-fA-F_,]+)$",
                RUBY_LINES),
    };
    private static final Pattern LONE_DOT = Pattern.compile("\\A[-+]?\\.\\Z");
    private static final ScalarResolver CORE = new CoreSchema().getScalarResolver();

    static PsychStyle requestedFor(String s) {
        if (INNER_NEWLINE.matcher(s).find()) return LITERAL;
        if (s.equals("<<")) return SINGLE_QUOTED;
        if (s.equals("y") || s.equals("Y") || s.equals("n") || s.equals("N")) return DOUBLE_QUOTED;
        if (LEADING_NON_WORD.matcher(s).find()) return DOUBLE_QUOTED;
        if (!psychReadsAsString(s) || BAD_OCTAL.matcher(s).find() || !CORE.resolve(s, true).equals(Tag.STR)) {
            return SINGLE_QUOTED;
        }
        return PLAIN;
    }

    private static boolean psychReadsAsString(String s) {
        if (s.isEmpty()) return false;
        if (STRINGISH.matcher(s).find() || s.indexOf('\n') >= 0) {
            return s.length() > 5 || NOT_YTONF.matcher(s).find() || !NULL_OR_BOOL.matcher(s).find();
        }
        for (Pattern p : NON_STRING) {
            if (p.matcher(s).find()) return LONE_DOT.matcher(s).find();
        }
        return true;
    }
}
