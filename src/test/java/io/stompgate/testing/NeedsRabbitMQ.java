package io.stompgate.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test talks to a real RabbitMQ (its AMQP port, and often its management API), the one
 * {@link TestRabbit} locates before the test starts (a missing one fails it at once, saying how to
 * get one). Tagged {@value #TAG}, so {@code -DexcludedGroups=rabbitmq} leaves it out of a JDK-only run.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(NeedsRabbitMQ.TAG)
@ExtendWith(TestRabbit.Check.class)
public @interface NeedsRabbitMQ {

    String TAG = "rabbitmq";
}
