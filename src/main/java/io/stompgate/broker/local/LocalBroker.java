package io.stompgate.broker.local;

import io.stompgate.app.AppMessage;
import io.stompgate.app.AppMessageHandler;
import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerStatus;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.Publication;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueListener;
import io.stompgate.broker.TopicMatcher;
import io.stompgate.broker.UnroutableException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The in-JVM broker: single node only. Topic and user messages go straight back
 * to this node's listener (there is no other node to reach), shared queues live
 * in memory for the life of the process, and {@code /app} messages go to the
 * {@link AppMessageHandler} beans. Nothing survives a restart.
 */
public final class LocalBroker implements MessageBroker {

    public static final int DEFAULT_QUEUE_MAX_LENGTH = 10_000;

    private final Supplier<List<AppMessageHandler>> appHandlerSource;
    private volatile List<AppMessageHandler> appHandlers = List.of();
    private final int queueMaxLength;
    private final Map<String, LocalQueue> queues = new ConcurrentHashMap<>();
    private volatile DeliveryListener listener;

    /**
     * @param appHandlers resolved at {@link #start}, so that handlers may themselves depend on
     *                    beans that need this broker (such as the {@code GatewayMessenger})
     */
    public LocalBroker(Supplier<List<AppMessageHandler>> appHandlers, int queueMaxLength) {
        this.appHandlerSource = appHandlers;
        this.queueMaxLength = queueMaxLength;
    }

    @Override
    public Mono<Void> start(DeliveryListener deliveryListener) {
        return Mono.fromRunnable(() -> {
            this.appHandlers = List.copyOf(appHandlerSource.get());
            this.listener = deliveryListener;
        });
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
            if (address instanceof Address.Topic topic) {
                l.onTopicMessage(topic.key(), publication.message());
                return Mono.empty();
            }
            if (address instanceof Address.User user) {
                l.onUserMessage(user.user(), user.queue(), publication.message());
                return Mono.empty();
            }
            if (address instanceof Address.Queue queue) {
                LocalQueue.Enqueued result;
                do {
                    result = queue(queue.name()).enqueue(publication.message());
                } while (result == LocalQueue.Enqueued.RETIRED);
                return result == LocalQueue.Enqueued.ACCEPTED
                        ? Mono.empty()
                        : Mono.error(new BrokerException("queue '" + queue.name() + "' is full"));
            }
            Address.App app = (Address.App) address;
            AppMessage message = new AppMessage(app.key(), publication.user(), publication.sessionId(),
                    publication.message().headers(), publication.message().body());
            for (AppMessageHandler handler : appHandlers) {
                if (TopicMatcher.matches(handler.pattern(), app.key())) {
                    return handler.handle(message).onErrorMap(e -> !(e instanceof BrokerException),
                            e -> new BrokerException("the application failed to handle the message"));
                }
            }
            return Mono.error(new UnroutableException("no application handler for '/app/" + app.key() + "'"));
        });
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
