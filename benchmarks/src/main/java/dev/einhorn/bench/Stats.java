package dev.einhorn.bench;

import java.util.Arrays;
import java.util.Collection;

/** Percentiles by linear interpolation between closest ranks (type 7, as numpy and R's default). */
public final class Stats {
    private Stats() {
    }

    /** p in [0, 100] of values (any order; not modified). NaN for no values. */
    public static double percentile(double[] values, double p) {
        if (p < 0 || p > 100) throw new IllegalArgumentException("percentile out of range: " + p);
        if (values.length == 0) return Double.NaN;
        double[] s = values.clone();
        Arrays.sort(s);
        return percentileSorted(s, p);
    }

    public static double percentileSorted(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        double rank = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    public static double median(double[] values) {
        return percentile(values, 50);
    }

    public static double[] toArray(Collection<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).toArray();
    }

    public static double mean(double[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(Double.NaN);
    }
}
