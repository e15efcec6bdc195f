package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The {@code /queue/<name>} queues this connection has declared, so each is
 * declared once rather than before every publish; forgotten when the broker says
 * one is gone (a returned message, a cancelled consumer) and after a reconnect.
 * Io thread only.
 */
final class DurableQueues {

    private final AmqpRouting routing;
    private final Set<String> declared = new HashSet<>();

    DurableQueues(AmqpRouting routing) {
        this.routing = routing;
    }

    /** Declares {@code /queue/<name>} (durable) on {@code channel} unless this connection already did. */
    void declare(Channel channel, String name) throws IOException {
        if (declared.add(name)) {
            try {
                channel.queueDeclare(routing.queueName(name), true, false, false, null);
            }
            catch (IOException | RuntimeException e) {
                declared.remove(name);
                throw e;
            }
        }
    }

    /** Declares it again at the next {@link #declare}: it may have been deleted. */
    void forget(String name) {
        declared.remove(name);
    }

    /** A new connection: nothing is known to be declared. */
    void clear() {
        declared.clear();
    }
}
