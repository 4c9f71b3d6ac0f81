package dev.einhorn.pool;

import java.util.List;

/**
 * A cumulative histogram of durations in seconds, Prometheus style: fixed upper bounds, a count per bound of
 * observations at or below it, the sum and the count. Used for the time from a worker's spawn to its ACK.
 */
public final class LatencyHistogram {
    /** Upper bounds in seconds (the +Inf bucket is {@link #count()}). */
    public static final List<Double> BOUNDS = List.of(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);

    private final long[] buckets = new long[BOUNDS.size()];
    private long count;
    private double sum;

    public void observe(double seconds) {
        double s = Math.max(0, seconds);
        for (int i = 0; i < buckets.length; i++) {
            if (s <= BOUNDS.get(i)) buckets[i]++;
        }
        count++;
        sum += s;
    }

    /** Observations at or below {@code BOUNDS.get(i)}. */
    public long cumulative(int i) {
        return buckets[i];
    }

    public long count() {
        return count;
    }

    public double sum() {
        return sum;
    }
}
