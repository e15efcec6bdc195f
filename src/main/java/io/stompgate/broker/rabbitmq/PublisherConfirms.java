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
 * id (a {@code basic.return} names its message only by its properties).
 *
 * <p>Publishes leave from the io thread; confirms and returns are settled where
 * they arrive, on the connection's reader thread, rather than handed to the io
 * thread: at a few thousand messages a second each hand-off is a thread wake-up,
 * and a wake-up costs more CPU here than the rest of the publish (docs/performance.md,
 * "The cost of a quiet message"). So the record is guarded by this object's lock,
 * held only for map updates, never across a channel call. A publish is recorded
 * before it is sent, because its confirm may arrive before {@code basicPublish}
 * returns. Each publish channel gets its own epoch ({@link #open()}), so a late
 * confirm of a channel that is gone cannot settle a publish of its successor,
 * whose sequence numbers start again at 1.
 */
final class PublisherConfirms {

    private final AmqpRouting routing;
    private final DurableQueues queues;
    private final NavigableMap<Long, PublishOp> unconfirmed = new TreeMap<>();
    private final Map<String, PublishOp> mandatoryById = new HashMap<>();
    private long epoch;

    PublisherConfirms(AmqpRouting routing, DurableQueues queues) {
        this.routing = routing;
        this.queues = queues;
    }

    /** A new publish channel is in use: confirms of any earlier one are ignored from now on. */
    synchronized long open() {
        return ++epoch;
    }

    /**
     * Publishes {@code op} on {@code channel} ({@code topology} declares its {@code /queue}); io
     * thread. Everything that can refuse it without the broker (routing, header sizes) is checked
     * before the channel numbers it, so such a refusal fails that publication alone and leaves the
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
        synchronized (this) {
            unconfirmed.put(seq, op);
            if (route.mandatory()) {
                mandatoryById.put(op.messageId, op);
            }
        }
        try {
            channel.basicPublish(route.exchange(), route.routingKey(), route.mandatory(), props, message.body());
        }
        catch (IOException | RuntimeException e) {
            synchronized (this) {
                unconfirmed.remove(seq);
                mandatoryById.remove(op.messageId);
            }
            throw e;
        }
    }

    /**
     * Settles the publishes a confirm ({@code ack}) or refusal for {@code seq} on the channel of
     * {@code channelEpoch} covers; any thread.
     *
     * @return those to publish once more: returned because their {@code /queue} was deleted
     *         behind the node's back; the caller declares it again ({@link DurableQueues#forget}
     *         first) and publishes them on the io thread
     */
    List<PublishOp> confirmed(long channelEpoch, long seq, boolean multiple, boolean ack) {
        List<PublishOp> again = new ArrayList<>(0);
        for (PublishOp op : settled(channelEpoch, seq, multiple)) {
            if (op.settle(ack)) {
                again.add(op);
            }
        }
        return again;
    }

    private synchronized List<PublishOp> settled(long channelEpoch, long seq, boolean multiple) {
        if (channelEpoch != epoch) {
            return List.of();
        }
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

    /** The broker returned the message {@code messageId} on the channel of {@code channelEpoch}: no queue took it. */
    synchronized void returned(long channelEpoch, String messageId) {
        PublishOp op = channelEpoch != epoch || messageId == null ? null : mandatoryById.get(messageId);
        if (op != null) {
            op.returned = true;
        }
    }

    /** Stops tracking {@code op} (it expired). */
    synchronized void forget(PublishOp op) {
        mandatoryById.remove(op.messageId);
        unconfirmed.values().remove(op);
    }

    /**
     * Everything still unconfirmed, oldest first, no longer tracked: the channel is gone, and
     * whatever it confirms late is ignored.
     */
    synchronized List<PublishOp> takeAll() {
        epoch++;
        List<PublishOp> all = new ArrayList<>(unconfirmed.values());
        unconfirmed.clear();
        mandatoryById.clear();
        return all;
    }
}
