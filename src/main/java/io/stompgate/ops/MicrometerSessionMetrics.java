package io.stompgate.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.stompgate.session.ErrorReason;
import io.stompgate.session.SessionMetrics;
import io.stompgate.session.SessionRegistry;
import io.stompgate.stomp.StompCommand;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The session metrics of docs/protocol.md §6.2 on Micrometer, every one tagged with
 * the node id ({@code node}) and nothing that grows with traffic: commands and
 * error reasons are closed sets; principals and destinations never appear.
 * Counters are created up front so that recording one is a single increment.
 */
public final class MicrometerSessionMetrics implements SessionMetrics {

    private final Map<StompCommand, Counter> received = new EnumMap<>(StompCommand.class);
    private final Map<StompCommand, Counter> sent = new EnumMap<>(StompCommand.class);
    private final Map<ErrorReason, Counter> errors = new EnumMap<>(ErrorReason.class);
    private final Counter delivered;
    private final Counter slowConsumers;
    private final DistributionSummary queueDepth;
    private final Timer publishConfirm;

    public MicrometerSessionMetrics(MeterRegistry registry, String nodeId, Supplier<SessionRegistry> sessions) {
        Tags node = Tags.of("node", nodeId);
        for (StompCommand command : StompCommand.values()) {
            Tags tags = node.and("command", command.name());
            if (command.isClientCommand()) {
                received.put(command, Counter.builder("stomp.frames.received")
                        .description("STOMP frames received from clients").tags(tags).register(registry));
            }
            else {
                sent.put(command, Counter.builder("stomp.frames.sent")
                        .description("STOMP frames written to clients").tags(tags).register(registry));
            }
        }
        for (ErrorReason reason : ErrorReason.values()) {
            errors.put(reason, Counter.builder("stomp.errors")
                    .description("ERROR frames sent, by reason").tags(node.and("reason", reason.tag())).register(registry));
        }
        delivered = Counter.builder("stomp.messages.delivered")
                .description("MESSAGE frames queued to sessions").tags(node).register(registry);
        slowConsumers = Counter.builder("stomp.slow.consumer.disconnects")
                .description("Sessions closed because their outbound queue was full").tags(node).register(registry);
        queueDepth = DistributionSummary.builder("stomp.outbound.queue.depth")
                .description("Depth of a session's outbound queue when a frame joins it").tags(node).register(registry);
        publishConfirm = Timer.builder("stomp.publish.confirm")
                .description("Time from publishing a SEND to the broker's confirmation").tags(node).register(registry);
        Gauge.builder("stomp.sessions.active", () -> sessions.get().sessionCount())
                .description("Connected STOMP sessions").tags(node).register(registry);
    }

    @Override
    public void frameReceived(StompCommand command) {
        Counter c = received.get(command);
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void frameSent(StompCommand command) {
        Counter c = sent.get(command);
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void messageDelivered() {
        delivered.increment();
    }

    @Override
    public void error(ErrorReason reason) {
        errors.get(reason).increment();
    }

    @Override
    public void slowConsumerDisconnect() {
        slowConsumers.increment();
    }

    @Override
    public void publishConfirmed(long nanos) {
        publishConfirm.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void outboundQueueDepth(int depth) {
        queueDepth.record(depth);
    }
}
