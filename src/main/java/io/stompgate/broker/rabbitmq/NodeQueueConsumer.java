package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.NodeMessage;
import io.stompgate.broker.NodeMessageListener;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the node queue's deliveries (one per broadcast or user message, however
 * many local sessions get it) and hands them to the node's listener, on the AMQP
 * connection's reader thread. Acks are cumulative, one per {@code ackEvery}
 * deliveries; a quiet queue gets the rest acked after {@link #ACK_LINGER}, so an
 * idle node does not show hundreds of unacked messages in RabbitMQ. One instance
 * per connection: its acks are only valid on the channel it consumed from.
 *
 * <p>A copy is not delivered twice (docs/protocol.md §5.2): a gateway-published
 * message whose {@code message_id} the node delivered lately (a SEND published again
 * after its confirm was lost), or a redelivered message the node had already taken
 * before its connection dropped, is dropped here, against {@link RecentDeliveries}.
 */
final class NodeQueueConsumer extends DefaultConsumer {

    private static final Logger log = LoggerFactory.getLogger(NodeQueueConsumer.class);

    /** How long a quiet node queue keeps deliveries unacknowledged before acking them. */
    static final Duration ACK_LINGER = Duration.ofMillis(200);

    private final long generation;
    private final LongSupplier currentGeneration;
    private final ScheduledExecutorService io;
    private final AmqpRouting routing;
    private final Supplier<DeliveryListener> listener;
    private final Function<String, NodeMessageListener> nodeListeners;
    private final AtomicLong deliveries;
    private final RecentDeliveries recent;
    private final AtomicLong copies;
    private final String nodeId;
    private final int ackEvery;
    private int unacked;
    private long lastTag;
    private boolean flushScheduled;

    /**
     * @param generation        the connection this consumer belongs to
     * @param currentGeneration the broker's current connection, so a stale consumer stops acking
     * @param io                the io thread, which runs the delayed ack (never the deadline timer: an ack may block)
     * @param deliveries        counts every delivery taken
     * @param nodeListeners     the listener of each kind of node message
     * @param recent            what the node delivered lately, shared by its connections
     * @param copies            counts the copies dropped
     */
    NodeQueueConsumer(Channel channel, long generation, LongSupplier currentGeneration, ScheduledExecutorService io,
            AmqpRouting routing, Supplier<DeliveryListener> listener, Function<String, NodeMessageListener> nodeListeners,
            AtomicLong deliveries, RecentDeliveries recent, AtomicLong copies, String nodeId, int prefetch) {
        super(channel);
        this.generation = generation;
        this.currentGeneration = currentGeneration;
        this.io = io;
        this.routing = routing;
        this.listener = listener;
        this.nodeListeners = nodeListeners;
        this.deliveries = deliveries;
        this.recent = recent;
        this.copies = copies;
        this.nodeId = nodeId;
        this.ackEvery = Math.max(1, prefetch / 2);
    }

    @Override
    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        try {
            AmqpRouting.Inbound inbound = routing.inbound(envelope.getExchange(), envelope.getRoutingKey(),
                    properties.getHeaders());
            if (inbound instanceof AmqpRouting.Inbound.Undeliverable undeliverable) {
                log.debug("delivery dropped node={}: {}", nodeId, undeliverable.why());
            }
            else if (isCopy(envelope, properties, body)) {
                copies.incrementAndGet();
            }
            else {
                dispatch(inbound, properties, body);
            }
        }
        catch (RuntimeException e) {
            log.warn("dispatching a delivery failed node={}: {}", nodeId, e.toString());
        }
        boolean scheduleFlush;
        synchronized (this) {
            lastTag = envelope.getDeliveryTag();
            if (++unacked >= ackEvery) {
                ackUpTo(lastTag);
                return;
            }
            scheduleFlush = !flushScheduled;
            flushScheduled = true;
        }
        if (scheduleFlush) {
            try {
                io.schedule(this::flush, ACK_LINGER.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (RejectedExecutionException stopped) {
                // stopping: the channel closes with the connection
            }
        }
    }

    private boolean isCopy(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        String messageId = properties.getMessageId();
        if (messageId != null && AmqpMessages.GATEWAY_APP_ID.equals(properties.getAppId())) {
            return !recent.firstTime(RecentDeliveries.ofMessageId(messageId));
        }
        // A backend's message: two alike may be meant as two, unless RabbitMQ says this one is a redelivery.
        long fingerprint = RecentDeliveries.ofContent(envelope.getExchange(), envelope.getRoutingKey(), messageId, body);
        if (envelope.isRedeliver()) {
            return !recent.firstTime(fingerprint);
        }
        recent.record(fingerprint);
        return false;
    }

    private void dispatch(AmqpRouting.Inbound inbound, AMQP.BasicProperties properties, byte[] body) {
        DeliveryListener l = listener.get();
        if (inbound instanceof AmqpRouting.Inbound.Topic topic) {
            deliveries.incrementAndGet();
            if (l != null) {
                l.onTopicMessage(topic.key(), AmqpMessages.fromAmqp(properties, body));
            }
        }
        else if (inbound instanceof AmqpRouting.Inbound.User user) {
            deliveries.incrementAndGet();
            if (l != null) {
                l.onUserMessage(user.user(), user.queue(), AmqpMessages.fromAmqp(properties, body));
            }
        }
        else if (inbound instanceof AmqpRouting.Inbound.Node node) {
            NodeMessageListener nodeListener = nodeListeners.apply(node.kind());
            if (nodeListener != null) {
                nodeListener.onNodeMessage(new NodeMessage(node.kind(), node.fromNode(), body));
            }
        }
    }

    private synchronized void flush() {
        flushScheduled = false;
        if (unacked > 0) {
            ackUpTo(lastTag);
        }
    }

    /** Called holding this consumer's lock. */
    private void ackUpTo(long deliveryTag) {
        unacked = 0;
        Channel channel = getChannel();
        if (generation != currentGeneration.getAsLong() || !channel.isOpen()) {
            return;
        }
        try {
            channel.basicAck(deliveryTag, true);
        }
        catch (IOException | AlreadyClosedException e) {
            log.debug("acking node queue deliveries failed node={}: {}", nodeId, e.toString());
        }
    }
}
