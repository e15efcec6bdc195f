package io.stompgate.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.stompgate.broker.BrokerStatus;
import io.stompgate.broker.MessageBroker;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;

/**
 * {@code stomp_broker_reconnects_total} (times the broker came back after being
 * lost; 0 in local mode), {@code stomp_broker_up}, from the broker's status
 * changes, and {@code stomp_broker_copies_dropped_total} (copies of messages the
 * node did not deliver twice after an outage), tagged with the node id.
 */
public final class BrokerMetrics implements AutoCloseable {

    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicBoolean seenUp = new AtomicBoolean();
    private final Disposable subscription;

    public BrokerMetrics(MeterRegistry registry, MessageBroker broker, String nodeId) {
        Tags node = Tags.of("node", nodeId);
        FunctionCounter.builder("stomp.broker.reconnects", reconnects, AtomicLong::get)
                .description("Times the broker connection was restored after being lost").tags(node).register(registry);
        FunctionCounter.builder("stomp.broker.copies.dropped", broker, MessageBroker::copiesDropped)
                .description("Copies of messages dropped rather than delivered twice").tags(node).register(registry);
        Gauge.builder("stomp.broker.up", broker, b -> b.isUp() ? 1 : 0)
                .description("1 while the broker connection is up").tags(node).register(registry);
        subscription = broker.status().subscribe(status -> {
            if (status == BrokerStatus.UP && seenUp.getAndSet(true)) {
                reconnects.incrementAndGet();
            }
        });
    }

    @Override
    public void close() {
        subscription.dispose();
    }
}
