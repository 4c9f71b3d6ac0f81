package dev.einhorn.pool;

import java.time.Instant;

/**
 * A wall-clock time as the hand-over carries it: nanoseconds since the epoch, a plain YAML integer. Format 2 wrote
 * {@link Instant#toString()} and read it back with {@link Instant#parse}, which brought about 70 classes of
 * {@code java.time.format} and locale data into every image for two numbers a worker (docs/FOOTPRINT.md, sixth
 * round); such a string from an older image is still read.
 */
final class HandoverTime {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private HandoverTime() {
    }

    static Long write(Instant t) {
        return t == null ? null : Math.addExact(Math.multiplyExact(t.getEpochSecond(), NANOS_PER_SECOND), t.getNano());
    }

    static Instant read(Object v) {
        if (v == null) return null;
        if (v instanceof Number n) {
            long nanos = n.longValue();
            return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND), Math.floorMod(nanos, NANOS_PER_SECOND));
        }
        return Instant.parse((String) v);
    }
}
