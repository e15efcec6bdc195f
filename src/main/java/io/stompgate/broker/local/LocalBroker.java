package io.stompgate.broker.local;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.BrokerStatus;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.ForwardedHeaders;
import io.stompgate.broker.History;
import io.stompgate.broker.HistoryRead;
import io.stompgate.broker.HistoryReader;
import io.stompgate.broker.HistoryStart;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.NodeMessage;
import io.stompgate.broker.NodeMessageListener;
import io.stompgate.broker.Publication;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The in-JVM broker: single node only. Topic and user messages go straight back
 * to this node's listener (there is no other node to reach), topics under history
 * through an in-memory log ({@link LocalHistory}), shared queues live
 * in memory for the life of the process, and {@code /app} messages go to a
 * function the application layer provides. Nothing survives a restart.
 */
public final class LocalBroker implements MessageBroker {

    public static final int DEFAULT_QUEUE_MAX_LENGTH = 10_000;

    /**
     * As long as a shared queue's name may be in cluster mode with the default prefix
     * ({@code stomp.queue.}, in AMQP's 255 bytes), so a name that works here works there.
     */
    static final int MAX_QUEUE_NAME_BYTES = 255 - "stomp.queue.".length();

    private final String nodeId;
    private final History history;
    private final LocalHistory log;
    private final Function<Publication, Mono<Void>> appPublications;
    private final int queueMaxLength;
    private final Map<String, LocalQueue> queues = new ConcurrentHashMap<>();
    private volatile DeliveryListener listener;
    private final Map<String, NodeMessageListener> nodeListeners = new ConcurrentHashMap<>();

    /**
     * @param nodeId          this node, the sender of its node messages
     * @param history         which topics keep a history, kept in memory
     * @param appPublications takes every publication to {@code /app}; completes when it is
     *                        handled, fails with {@code UnroutableException} when nothing takes it
     */
    public LocalBroker(String nodeId, History history, Function<Publication, Mono<Void>> appPublications,
            int queueMaxLength) {
        this.nodeId = nodeId;
        this.history = history;
        this.log = new LocalHistory(history, System::currentTimeMillis);
        this.appPublications = appPublications;
        this.queueMaxLength = queueMaxLength;
    }

    @Override
    public Mono<Void> start(DeliveryListener deliveryListener) {
        return Mono.fromRunnable(() -> this.listener = deliveryListener);
    }

    @Override
    public Mono<Void> bindTopic(String pattern) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> unbindTopic(String pattern) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> bindUser(String user) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> unbindUser(String user) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> publish(Publication publication) {
        return Mono.defer(() -> {
            DeliveryListener l = listener;
            if (l == null) {
                return Mono.error(new BrokerException("broker not started"));
            }
            Address address = publication.address();
            BrokerMessage message = ForwardedHeaders.of(publication.message());
            if (address instanceof Address.Topic topic) {
                if (history.keeps(topic.key())) {
                    log.append(topic.key(), message, l::onHistoryMessage);
                }
                else {
                    l.onTopicMessage(topic.key(), message);
                }
                return Mono.empty();
            }
            if (address instanceof Address.User user) {
                l.onUserMessage(user.user(), user.queue(), message);
                return Mono.empty();
            }
            if (address instanceof Address.Queue queue) {
                LocalQueue.Enqueued result;
                do {
                    result = queue(queue.name()).enqueue(message);
                } while (result == LocalQueue.Enqueued.RETIRED);
                return result == LocalQueue.Enqueued.ACCEPTED
                        ? Mono.empty()
                        : Mono.error(new BrokerException("queue '" + queue.name() + "' is full"));
            }
            if (address instanceof Address.Nodes nodes) {
                // The only node there is: this one.
                NodeMessageListener nodeListener = nodeListeners.get(nodes.kind());
                if (nodeListener != null) {
                    nodeListener.onNodeMessage(new NodeMessage(nodes.kind(), nodeId, message.body()));
                }
                return Mono.empty();
            }
            return appPublications.apply(new Publication(address, message, publication.user(), publication.sessionId()));
        });
    }

    @Override
    public void onNodeMessages(String kind, NodeMessageListener nodeListener) {
        nodeListeners.put(kind, nodeListener);
    }

    @Override
    public History history() {
        return history;
    }

    @Override
    public HistoryRead readHistory(HistoryStart start, HistoryReader reader) {
        return log.read(start, reader);
    }

    @Override
    public int maxQueueNameBytes() {
        return MAX_QUEUE_NAME_BYTES;
    }

    @Override
    public Mono<QueueConsumer> consumeQueue(String queue, int prefetch, QueueListener queueListener) {
        return Mono.fromSupplier(() -> {
            QueueConsumer consumer;
            do {
                consumer = queue(queue).addConsumer(prefetch, queueListener);
            } while (consumer == null);
            return consumer;
        });
    }

    private LocalQueue queue(String name) {
        return queues.computeIfAbsent(name, n -> new LocalQueue(n, queueMaxLength, () -> forgetIfIdle(n)));
    }

    /** Drops a queue object that holds nothing, so names used once do not accumulate. */
    private void forgetIfIdle(String name) {
        queues.computeIfPresent(name, (n, q) -> q.retireIfIdle() ? null : q);
    }

    /** Messages waiting in {@code queue}, for tests and diagnostics. */
    public int readyCount(String queue) {
        LocalQueue q = queues.get(queue);
        return q == null ? 0 : q.readyCount();
    }

    /** Queues that currently hold a message or a consumer. */
    public int queueCount() {
        return queues.size();
    }

    @Override
    public Flux<BrokerStatus> status() {
        return Flux.just(BrokerStatus.UP);
    }

    @Override
    public boolean isUp() {
        return true;
    }

    @Override
    public Mono<Void> stop() {
        return Mono.empty();
    }
}
