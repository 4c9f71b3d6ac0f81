package dev.einhorn.pool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** For the master's re-exec: {@code {buckets: [...], count, sum}}. */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Long> b = new ArrayList<>();
        for (long v : buckets) b.add(v);
        m.put("buckets", b);
        m.put("count", count);
        m.put("sum", sum);
        return m;
    }

    /** Takes over a {@link #snapshot()} (ignored if its buckets do not match these bounds). */
    void restore(Map<?, ?> m) {
        if (!(m.get("buckets") instanceof List<?> b) || b.size() != buckets.length) return;
        for (int i = 0; i < buckets.length; i++) buckets[i] = ((Number) b.get(i)).longValue();
        count = ((Number) m.get("count")).longValue();
        sum = ((Number) m.get("sum")).doubleValue();
    }
}
