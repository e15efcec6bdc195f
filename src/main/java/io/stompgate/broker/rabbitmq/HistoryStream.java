package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.BrokerStartException;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.History;
import io.stompgate.broker.HistoryRead;
import io.stompgate.broker.HistoryReader;
import io.stompgate.broker.HistoryStart;
import java.io.IOException;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The history as a RabbitMQ stream (docs/protocol.md §7): {@code stomp.history},
 * bound to the topic exchange with the history patterns, so what backends publish
 * there is in it too. Every node consumes it from its live position: that is the
 * node's live path for topics under history, so every delivery carries its offset,
 * the same on every node. After a reconnect the node goes on from the offset after
 * the last one it dispatched, so an outage loses nothing retained. A read of the
 * history is a second consumer, on its own channel, from the requested start,
 * acknowledged as its reader consumes, so it goes at the reader's pace.
 * Io thread only, except the consumers' callbacks.
 */
final class HistoryStream {

    private static final Logger log = LoggerFactory.getLogger(HistoryStream.class);

    /** Unacknowledged deliveries of one read: how far it runs ahead of its reader. */
    static final int READ_WINDOW = 256;
    /** Unacknowledged deliveries of the live consumer. */
    private static final int LIVE_PREFETCH = 1000;
    private static final int LIVE_ACK_EVERY = 64;
    private static final String OFFSET_HEADER = "x-stream-offset";

    private final RabbitBrokerOptions options;
    private final History history;
    private final RecentDeliveries recent;
    private final AtomicLong copies;
    private final Supplier<DeliveryListener> listener;
    /** The offset of the last history message the node dispatched; -1 before the first. Reader thread. */
    private volatile long position = -1;

    HistoryStream(RabbitBrokerOptions options, RecentDeliveries recent, AtomicLong copies,
            Supplier<DeliveryListener> listener) {
        this.options = options;
        this.history = options.history();
        this.recent = recent;
        this.copies = copies;
        this.listener = listener;
    }

    boolean isEnabled() {
        return history.isEnabled();
    }

    /**
     * Declares the stream and binds it with every history pattern. A stream drops whole segments,
     * so the segment size is a quarter of {@code max-bytes} (64 KiB to RabbitMQ's default 500 MB):
     * with the default segment, 256 MB of history would never be trimmed. Every node must declare
     * it alike: one that differs may not start.
     */
    void declare(Channel topology) throws IOException {
        Map<String, Object> arguments = new HashMap<>();
        arguments.put("x-queue-type", "stream");
        arguments.put("x-max-age", history.maxAge().toSeconds() + "s");
        arguments.put("x-max-length-bytes", history.maxBytes());
        arguments.put("x-stream-max-segment-size-bytes",
                Math.max(64L * 1024, Math.min(500L * 1000 * 1000, history.maxBytes() / 4)));
        try {
            topology.queueDeclare(options.historyStream(), true, false, false, arguments);
        }
        catch (IOException e) {
            if (AmqpErrors.channelReplyCode(e) == AmqpErrors.PRECONDITION_FAILED) {
                throw new BrokerStartException("the history stream '" + options.historyStream() + "' exists with other "
                        + "arguments than gateway.history.max-age and max-bytes give (" + AmqpErrors.failureText(e)
                        + "); every node must use the same values; to change them, delete the stream");
            }
            throw e;
        }
        for (String pattern : history.patterns()) {
            topology.queueBind(options.historyStream(), options.topicExchange(), pattern);
        }
    }

    /**
     * Starts the node's live consumer on a channel of its own: from the last chunk on the first
     * connection (the node has no sessions to give older messages to), from the offset after its
     * position on a later one (nothing published meanwhile is skipped), or from the first retained
     * message if it never saw one (everything in the stream came after it started).
     */
    void consumeLive(Connection connection, long generation, LongSupplier currentGeneration, boolean firstConnection)
            throws IOException {
        Channel channel = connection.createChannel();
        channel.basicQos(LIVE_PREFETCH, false);
        long from = position;
        Object start = from >= 0 ? (Object) (from + 1) : firstConnection ? "last" : "first";
        channel.basicConsume(options.historyStream(), false, Map.of(OFFSET_HEADER, start), new DefaultConsumer(channel) {
            private long unacked;

            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                if (generation != currentGeneration.getAsLong()) {
                    return;
                }
                long offset = offsetOf(properties);
                try {
                    if (offset > position) {
                        position = offset;
                        if (isCopy(properties, recent)) {
                            copies.incrementAndGet();
                        }
                        else {
                            DeliveryListener l = listener.get();
                            if (l != null) {
                                l.onHistoryMessage(envelope.getRoutingKey(), offset, AmqpMessages.fromAmqp(properties, body));
                            }
                        }
                    }
                }
                catch (RuntimeException e) {
                    log.warn("dispatching a history message failed node={}: {}", options.nodeId(), e.toString());
                }
                if (++unacked >= LIVE_ACK_EVERY) {
                    unacked = 0; // a stream keeps its messages: acks only return credit, so they can be sparse
                    ackQuietly(getChannel(), envelope.getDeliveryTag(), true);
                }
            }
        });
    }

    /** What a read needs of the broker's io thread. */
    interface Io {
        /** Runs {@code op} once the broker is up, within its deadline. */
        void whenUp(BrokerOp op);

        /** The current connection; io thread only. */
        Connection connection();

        /** Runs {@code task} on the io thread; false once the broker has stopped. */
        boolean onIo(Runnable task);
    }

    /**
     * Starts a read from {@code start} for {@code reader}, on a channel of its own once the broker
     * is up (failing the reader if it is not within the operation timeout); cancelling closes it.
     */
    HistoryRead read(HistoryStart start, HistoryReader reader, Io io) {
        if (!isEnabled()) {
            reader.onError(new BrokerException("no topic keeps a history"));
            return () -> { };
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Channel> channel = new AtomicReference<>();
        Mono.<Void>create(sink -> io.whenUp(new BrokerOp("read history", sink) {
            @Override
            void run() throws IOException {
                if (!cancelled.get()) {
                    channel.set(open(io.connection(), start, reader, task -> io.onIo(task)));
                    if (cancelled.get()) {
                        abortQuietly(channel.getAndSet(null));
                    }
                }
                succeed();
            }
        })).subscribe(null, reader::onError);
        return () -> {
            cancelled.set(true);
            io.onIo(() -> abortQuietly(channel.getAndSet(null)));
        };
    }

    private static void abortQuietly(Channel channel) {
        if (channel != null && channel.isOpen()) {
            try {
                channel.abort();
            }
            catch (IOException | RuntimeException e) {
                log.debug("closing a history read's channel: {}", e.toString());
            }
        }
    }

    /**
     * Consumes the stream from {@code start} for {@code reader} on a new channel; its acks, which
     * its reader gives from any thread, go through {@code onIo}.
     */
    private Channel open(Connection connection, HistoryStart start, HistoryReader reader, Consumer<Runnable> onIo)
            throws IOException {
        Channel channel = connection.createChannel();
        channel.basicQos(READ_WINDOW, false);
        channel.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                reader.onError(new BrokerException("the history read was interrupted: " + AmqpErrors.describe(cause)));
            }
        });
        RecentDeliveries readCopies = new RecentDeliveries(1 << 10);
        channel.basicConsume(options.historyStream(), false, Map.of(OFFSET_HEADER, offsetArgument(start)),
                new DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                        long deliveryTag = envelope.getDeliveryTag();
                        Runnable consumed = () -> onIo.accept(() -> ackQuietly(channel, deliveryTag, false));
                        if (isCopy(properties, readCopies)) {
                            consumed.run();
                            return;
                        }
                        reader.onMessage(envelope.getRoutingKey(), offsetOf(properties),
                                AmqpMessages.fromAmqp(properties, body), consumed);
                    }
                });
        return channel;
    }

    private static Object offsetArgument(HistoryStart start) {
        if (start instanceof HistoryStart.Offset o) {
            return o.offset();
        }
        if (start instanceof HistoryStart.Timestamp t) {
            return new Date(t.epochSeconds() * 1000);
        }
        return "first"; // first, and last: the newest per destination is picked from everything retained
    }

    private static boolean isCopy(AMQP.BasicProperties properties, RecentDeliveries seen) {
        String messageId = properties.getMessageId();
        return messageId != null && AmqpMessages.GATEWAY_APP_ID.equals(properties.getAppId())
                && !seen.firstTime(RecentDeliveries.ofMessageId(messageId));
    }

    private static long offsetOf(AMQP.BasicProperties properties) {
        Map<String, Object> headers = properties.getHeaders();
        Object offset = headers == null ? null : headers.get(OFFSET_HEADER);
        return offset instanceof Number n ? n.longValue() : -1;
    }

    private static void ackQuietly(Channel channel, long deliveryTag, boolean multiple) {
        try {
            if (channel.isOpen()) {
                channel.basicAck(deliveryTag, multiple);
            }
        }
        catch (IOException | ShutdownSignalException e) {
            log.debug("acking a history delivery failed: {}", e.toString());
        }
    }
}
