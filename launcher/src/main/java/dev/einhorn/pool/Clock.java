package dev.einhorn.pool;

import java.time.Instant;

/** Time as the pool sees it: a monotonic clock for decisions, the wall clock for what people read. */
public interface Clock {
    /** Monotonic seconds (any origin). */
    double now();

    /** Wall-clock time, for spinup times shown in {@code state}. */
    Instant wall();

    Clock SYSTEM = new Clock() {
        @Override
        public double now() {
            return System.nanoTime() / 1e9;
        }

        @Override
        public Instant wall() {
            return Instant.now();
        }
    };
}
