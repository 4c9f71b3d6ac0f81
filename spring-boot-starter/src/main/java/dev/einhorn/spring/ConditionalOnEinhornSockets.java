package dev.einhorn.spring;

import dev.einhorn.runtime.Einhorn;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Active when the master passed listening sockets ({@code einhorn -b}, {@code EINHORN_FD_COUNT} above 0). */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(ConditionalOnEinhornSockets.OnEinhornSockets.class)
@interface ConditionalOnEinhornSockets {
    class OnEinhornSockets extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            int count = Einhorn.socketCount();
            return count > 0 ? ConditionOutcome.match(count + " einhorn socket(s)")
                    : ConditionOutcome.noMatch("einhorn bound no sockets (EINHORN_FD_COUNT is 0 or unset)");
        }
    }
}
