package dev.einhorn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void percentilesInterpolateLikeNumpy() {
        double[] v = {15, 20, 35, 40, 50};
        assertEquals(35, Stats.percentile(v, 50), 1e-9);
        assertEquals(15, Stats.percentile(v, 0), 1e-9);
        assertEquals(50, Stats.percentile(v, 100), 1e-9);
        assertEquals(29, Stats.percentile(v, 40), 1e-9);     // numpy.percentile([15,20,35,40,50], 40) == 29.0
        assertEquals(49.6, Stats.percentile(v, 99), 1e-9);   // numpy: 49.6
    }

    @Test
    void medianOfEvenCountAndUnsortedInput() {
        double[] v = {4, 1, 3, 2};
        assertEquals(2.5, Stats.median(v), 1e-9);
        assertEquals(4, v[0], 0); // input untouched
    }

    @Test
    void p99OfOneToHundred() {
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) v[i] = i + 1;
        assertEquals(99.01, Stats.percentile(v, 99), 1e-9);
        assertEquals(50.5, Stats.median(v), 1e-9);
    }

    @Test
    void emptyAndOutOfRange() {
        assertTrue(Double.isNaN(Stats.percentile(new double[0], 50)));
        assertEquals(7, Stats.percentile(new double[] {7}, 99), 0);
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(new double[] {1}, 101));
    }
}
