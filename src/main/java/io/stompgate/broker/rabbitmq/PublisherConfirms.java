package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.stompgate.broker.BrokerMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Publishing with publisher confirms: sends each publication where
 * {@link AmqpRouting} says, and keeps the publishes the broker has not confirmed
 * yet, by the publish channel's sequence numbers, and the mandatory ones by message
 * id (a {@code basic.return} names its message only by its properties). Io thread
 * only.
 */
final class PublisherConfirms {

    private final AmqpRouting routing;
    private final DurableQueues queues;
    private final NavigableMap<Long, PublishOp> unconfirmed = new TreeMap<>();
    private final Map<String, PublishOp> mandatoryById = new HashMap<>();

    PublisherConfirms(AmqpRouting routing, DurableQueues queues) {
        this.routing = routing;
        this.queues = queues;
    }

    /**
     * Publishes {@code op} on {@code channel} ({@code topology} declares its {@code /queue}).
     * Everything that can refuse it without the broker (routing, header sizes) is checked before
     * the channel numbers it, so such a refusal fails that publication alone and leaves the
     * channel in step.
     */
    void send(PublishOp op, Channel channel, Channel topology) throws IOException {
        AmqpRouting.Route route = routing.outbound(op.publication);
        BrokerMessage message = op.publication.message();
        AMQP.BasicProperties props = AmqpMessages.properties(message, route.headers(), route.persistent(), op.messageId,
                route.expiration());
        if (route.queue() != null) {
            queues.declare(topology, route.queue());
        }
        long seq = channel.getNextPublishSeqNo();
        channel.basicPublish(route.exchange(), route.routingKey(), route.mandatory(), props, message.body());
        unconfirmed.put(seq, op);
        if (route.mandatory()) {
            mandatoryById.put(op.messageId, op);
        }
    }

    /**
     * Settles the publishes a confirm ({@code ack}) or refusal for {@code seq} covers.
     *
     * @return those to publish once more: returned because their {@code /queue} was deleted
     *         behind the node's back, which is now declared again at their next publish
     */
    List<PublishOp> confirmed(long seq, boolean multiple, boolean ack) {
        List<PublishOp> again = new ArrayList<>(0);
        for (PublishOp op : settled(seq, multiple)) {
            if (op.settle(ack)) {
                queues.forget(op.queue());
                again.add(op);
            }
        }
        return again;
    }

    private List<PublishOp> settled(long seq, boolean multiple) {
        List<PublishOp> settled;
        if (multiple) {
            NavigableMap<Long, PublishOp> head = unconfirmed.headMap(seq, true);
            settled = new ArrayList<>(head.values());
            head.clear();
        }
        else {
            PublishOp op = unconfirmed.remove(seq);
            settled = op == null ? List.of() : List.of(op);
        }
        for (PublishOp op : settled) {
            mandatoryById.remove(op.messageId);
        }
        return settled;
    }

    /** The broker returned the message {@code messageId}: no queue took it. */
    void returned(String messageId) {
        PublishOp op = messageId == null ? null : mandatoryById.get(messageId);
        if (op != null) {
            op.returned = true;
        }
    }

    /** Stops tracking {@code op} (it expired). */
    void forget(PublishOp op) {
        mandatoryById.remove(op.messageId);
        unconfirmed.values().remove(op);
    }

    /** Everything still unconfirmed, oldest first, no longer tracked: the channel is gone. */
    List<PublishOp> takeAll() {
        List<PublishOp> all = new ArrayList<>(unconfirmed.values());
        unconfirmed.clear();
        mandatoryById.clear();
        return all;
    }
}
