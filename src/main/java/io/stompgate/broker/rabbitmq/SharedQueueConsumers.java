package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The node's consumers of {@code /queue/<name>} queues (competing consumers with
 * broker acks): what to start again after a reconnect, and each one's unsettled
 * deliveries. A delivery of an earlier connection is never settled on a later one:
 * the broker requeued it when that connection closed. Io thread only, except where
 * a method says otherwise.
 */
final class SharedQueueConsumers {

    private static final Logger log = LoggerFactory.getLogger(SharedQueueConsumers.class);

    /** What the consumers need of the broker's io thread. */
    interface Io {
        /** Runs {@code task} on the io thread (from any thread); false once the broker has stopped. */
        boolean onIo(Runnable task);

        /** The current connection's generation. */
        long generation();

        /** Declares {@code /queue/<name>} at the broker, whether or not it was declared before. */
        void declareAgain(String queue) throws IOException;

        /** The connection can no longer be trusted. */
        void connectionLost(String reason);
    }

    private final Io io;
    private final AmqpRouting routing;
    private final String nodeId;
    private final Map<Long, Consumer> consumers = new LinkedHashMap<>();
    private long nextId;

    SharedQueueConsumers(Io io, AmqpRouting routing, String nodeId) {
        this.io = io;
        this.routing = routing;
        this.nodeId = nodeId;
    }

    int size() {
        return consumers.size();
    }

    /** Queues that have a consumer, to declare after a reconnect. */
    List<String> queues() {
        List<String> queues = new ArrayList<>(consumers.size());
        for (Consumer c : consumers.values()) {
            queues.add(c.queue);
        }
        return queues;
    }

    /** Registers and starts a consumer of {@code queue} (already declared) on {@code channel}. */
    QueueConsumer add(String queue, int prefetch, QueueListener listener, Channel channel) throws IOException {
        Consumer consumer = new Consumer(nextId++, queue, prefetch, listener);
        consumers.put(consumer.id, consumer);
        try {
            start(consumer, channel);
        }
        catch (IOException | RuntimeException e) {
            consumers.remove(consumer.id);
            throw e;
        }
        return consumer;
    }

    /** Drops the consumers of {@code queue}: it can no longer be used (changed or deleted by someone else). */
    void dropQueue(String queue, String reason) {
        consumers.values().removeIf(c -> {
            if (c.queue.equals(queue)) {
                log.warn("queue consumer not restored node={} queue={}: {}", nodeId, queue, reason);
                return true;
            }
            return false;
        });
    }

    /** Starts every consumer again on a new connection's {@code channel}. */
    void restoreAll(Channel channel) throws IOException {
        for (Consumer consumer : List.copyOf(consumers.values())) {
            start(consumer, channel);
        }
    }

    private void start(Consumer consumer, Channel channel) throws IOException {
        long gen = io.generation();
        channel.basicQos(consumer.prefetch, false);
        consumer.channel = channel;
        consumer.generation = gen;
        consumer.unsettled.clear();
        consumer.tag = channel.basicConsume(routing.queueName(consumer.queue), false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                long deliveryTag = envelope.getDeliveryTag();
                BrokerMessage message = AmqpMessages.fromAmqp(properties, body);
                io.onIo(() -> {
                    if (gen != io.generation()) {
                        return; // the old connection's delivery: the broker has requeued it
                    }
                    if (consumer.cancelled) {
                        nackQuietly(channel, deliveryTag); // arrived while being cancelled
                        return;
                    }
                    consumer.unsettled.add(deliveryTag);
                    consumer.listener.onDelivery(new RabbitQueueDelivery(message, envelope.isRedeliver(),
                            (ack, requeue) -> consumer.settle(gen, deliveryTag, ack, requeue)));
                });
            }

            @Override
            public void handleCancel(String tag) {
                // The broker cancelled it (the queue was deleted): declare the queue again and consume anew.
                log.warn("queue consumer cancelled by the broker node={} queue={}; restoring it", nodeId, consumer.queue);
                io.onIo(() -> {
                    if (gen != io.generation() || consumer.cancelled || !consumers.containsKey(consumer.id)) {
                        return;
                    }
                    try {
                        io.declareAgain(consumer.queue);
                        start(consumer, channel);
                    }
                    catch (IOException | ShutdownSignalException e) {
                        io.connectionLost("restoring a cancelled queue consumer failed: " + e);
                    }
                });
            }
        });
    }

    private static void nackQuietly(Channel channel, long deliveryTag) {
        try {
            channel.basicNack(deliveryTag, false, true);
        }
        catch (IOException | AlreadyClosedException e) {
            log.debug("requeueing a delivery failed: {}", e.toString());
        }
    }

    /** One {@code /queue} consumer of a session's subscription. */
    private final class Consumer implements QueueConsumer {
        final long id;
        final String queue;
        final int prefetch;
        final QueueListener listener;
        final Set<Long> unsettled = new HashSet<>();
        Channel channel;
        long generation = -1;
        String tag;
        boolean cancelled;

        Consumer(long id, String queue, int prefetch, QueueListener listener) {
            this.id = id;
            this.queue = queue;
            this.prefetch = prefetch;
            this.listener = listener;
        }

        /**
         * Never waits for the broker: the node forgets the consumer at once (so a reconnect
         * does not restore it), and cancels it at the broker only if the connection is up; if
         * it is not, the broker has already given its unacknowledged messages back.
         */
        @Override
        public Mono<Void> cancel() {
            return Mono.create(sink -> {
                boolean accepted = io.onIo(() -> {
                    cancelNow();
                    sink.success();
                });
                if (!accepted) {
                    sink.success(); // stopped: the connection is gone, and the broker requeued everything
                }
            });
        }

        private void cancelNow() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            consumers.remove(id);
            if (generation == io.generation() && channel != null && channel.isOpen()) {
                try {
                    channel.basicCancel(tag);
                    for (long deliveryTag : unsettled) {
                        channel.basicNack(deliveryTag, false, true);
                    }
                }
                catch (IOException | ShutdownSignalException e) {
                    log.debug("cancelling a queue consumer at the broker failed: {}", e.toString());
                }
            }
            unsettled.clear();
        }

        /** From any thread: settles on the io thread, unless the delivery belongs to an earlier connection. */
        void settle(long deliveryGeneration, long deliveryTag, boolean ack, boolean requeue) {
            io.onIo(() -> {
                if (deliveryGeneration != io.generation() || deliveryGeneration != generation
                        || !unsettled.remove(deliveryTag)) {
                    return; // from before a reconnect (the broker requeued it) or already settled
                }
                try {
                    if (ack) {
                        channel.basicAck(deliveryTag, false);
                    }
                    else {
                        channel.basicNack(deliveryTag, false, requeue);
                    }
                }
                catch (IOException | AlreadyClosedException e) {
                    log.debug("settling a queue delivery failed: {}", e.toString());
                }
            });
        }
    }
}
