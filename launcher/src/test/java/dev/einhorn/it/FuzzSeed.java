package dev.einhorn.it;

import java.security.SecureRandom;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Gives each jqwik property of a fuzz test the seed from {@code -Dfuzz.seed=N}, or a fresh random one, and
 * prints it before the property runs (so a run that hangs or kills the JVM can still be replayed).
 */
public final class FuzzSeed implements AroundPropertyHook {
    public FuzzSeed() {}

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String given = System.getProperty("fuzz.seed", "").trim();
        String seed = given.isEmpty() ? Long.toString(new SecureRandom().nextLong()) : given;
        context.attributes().setSeed(seed);
        System.out.println("FUZZ: " + context.label() + " runs with seed " + seed + " (replay: -Dfuzz.seed=" + seed + ")");
        return property.execute();
    }
}
