package dev.einhorn.spring;

import dev.einhorn.runtime.Einhorn;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches in a worker process of an einhorn master ({@link Einhorn#isWorker()}: {@code EINHORN_MASTER_PID} is our
 * parent), unless {@code einhorn.enabled=false}, and never in a run that stops after the context refresh
 * ({@code spring.context.exit} or {@code spring.context.checkpoint} set, as in the training run of
 * {@code einhorn -p}): that run must neither take the sockets nor ack.
 */
class OnEinhornWorkerCondition extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        if (!context.getEnvironment().getProperty("einhorn.enabled", Boolean.class, true)) {
            return ConditionOutcome.noMatch("einhorn.enabled is false");
        }
        for (String stopAfterRefresh : new String[] {"spring.context.exit", "spring.context.checkpoint"}) {
            if (context.getEnvironment().containsProperty(stopAfterRefresh)) {
                return ConditionOutcome.noMatch(stopAfterRefresh + " is set: this run stops after the refresh");
            }
        }
        return Einhorn.isWorker()
                ? ConditionOutcome.match("an einhorn worker (EINHORN_MASTER_PID is the parent's pid)")
                : ConditionOutcome.noMatch("not started by an einhorn master");
    }
}
