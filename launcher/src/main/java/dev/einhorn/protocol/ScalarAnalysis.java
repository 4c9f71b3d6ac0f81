package dev.einhorn.protocol;

/**
 * What libyaml's emitter ({@code yaml_emitter_analyze_scalar}) learns about a scalar before choosing its
 * style: which styles can represent it in block context. Ported rule for rule, because Psych's output is
 * Psych's style request filtered through exactly these checks.
 */
final class ScalarAnalysis {
    final boolean empty;
    final boolean multiline;
    final boolean blockPlainAllowed;
    final boolean singleQuotedAllowed;
    final boolean blockAllowed;

    private ScalarAnalysis(boolean empty, boolean multiline, boolean blockPlain, boolean single, boolean block) {
        this.empty = empty;
        this.multiline = multiline;
        this.blockPlainAllowed = blockPlain;
        this.singleQuotedAllowed = single;
        this.blockAllowed = block;
    }

    static ScalarAnalysis of(String value) {
        if (value.isEmpty()) {
            return new ScalarAnalysis(true, false, true, true, false);
        }
        int[] cps = value.codePoints().toArray();
        boolean blockIndicators = value.startsWith("---") || value.startsWith("...");
        boolean lineBreaks = false;
        boolean special = false;
        boolean leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
        boolean breakSpace = false, spaceBreak = false;
        boolean precededByWhitespace = true;
        boolean previousSpace = false, previousBreak = false;
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            boolean followedByWhitespace = i + 1 >= cps.length || isBlankOrBreak(cps[i + 1]);
            boolean first = i == 0, last = i == cps.length - 1;
            if (first) {
                if ("#,[]{}&*!|>'\"%@`".indexOf(c) >= 0) blockIndicators = true;
                if ((c == '?' || c == ':') && followedByWhitespace) blockIndicators = true;
                if (c == '-' && followedByWhitespace) blockIndicators = true;
            } else {
                if (c == ':' && followedByWhitespace) blockIndicators = true;
                if (c == '#' && precededByWhitespace) blockIndicators = true;
            }
            if (!isPrintable(c)) special = true;
            if (isBreak(c)) lineBreaks = true;
            if (c == ' ') {
                leadingSpace |= first;
                trailingSpace |= last;
                breakSpace |= previousBreak;
                previousSpace = true;
                previousBreak = false;
            } else if (isBreak(c)) {
                leadingBreak |= first;
                trailingBreak |= last;
                spaceBreak |= previousSpace;
                previousSpace = false;
                previousBreak = true;
            } else {
                previousSpace = false;
                previousBreak = false;
            }
            precededByWhitespace = isBlankOrBreak(c);
        }
        boolean plain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak
                || breakSpace || spaceBreak || special || lineBreaks || blockIndicators);
        boolean single = !(breakSpace || spaceBreak || special);
        boolean block = !(trailingSpace || spaceBreak || special);
        return new ScalarAnalysis(false, lineBreaks, plain, single, block);
    }

    /**
     * libyaml's IS_PRINTABLE with unicode output enabled (Psych enables it), except U+2028 and U+2029:
     * YAML 1.1 readers (Psych) take them for line breaks and YAML 1.2 readers (snakeyaml-engine) do not,
     * so we always escape them in a double-quoted scalar instead of writing them raw.
     */
    static boolean isPrintable(int c) {
        return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF && c != 0x2028 && c != 0x2029)
                || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
    }

    static boolean isBreak(int c) {
        return c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    private static boolean isBlankOrBreak(int c) {
        return c == ' ' || c == '\t' || isBreak(c);
    }
}
