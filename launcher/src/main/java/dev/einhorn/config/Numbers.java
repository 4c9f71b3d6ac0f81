package dev.einhorn.config;

/** Number formatting as Ruby prints it, so log lines match Einhorn's. */
public final class Numbers {
    private Numbers() {}

    /** 1.0 -> "1", 1.5 -> "1.5" (Einhorn's -m 1 prints as 1; -m 1.5 as 1.5). */
    public static String rubyFloat(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d)) return Long.toString((long) d);
        return Double.toString(d);
    }
}
