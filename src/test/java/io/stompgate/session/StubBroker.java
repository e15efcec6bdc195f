package io.stompgate.session;

import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.BrokerStatus;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.HistoryStart;
import io.stompgate.broker.HistoryReader;
import io.stompgate.broker.HistoryRead;
import io.stompgate.broker.History;
import io.stompgate.broker.NodeMessageListener;
import io.stompgate.broker.Publication;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueDelivery;
import io.stompgate.broker.QueueListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A hand-written {@link MessageBroker} for session tests: it records every
 * operation when its {@code Mono} is subscribed (which is when, by the broker
 * contract, it takes effect), succeeds at once by default, and can be told to
 * hold operations until the test completes them, or to fail them.
 *
 * <p>Thread-safe, so the registry's concurrency test can drive it from many threads.
 */
final class StubBroker implements MessageBroker {

    enum Op { BIND_TOPIC, UNBIND_TOPIC, BIND_USER, UNBIND_USER, PUBLISH, CONSUME_QUEUE, CANCEL_CONSUMER, ACK, REJECT }

    /** One broker operation, as subscribed; {@code target} is the pattern, user, queue or destination key. */
    record Call(Op op, String target) {
        @Override
        public String toString() {
            return op + "(" + target + ")";
        }
    }

    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<Publication> publications = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> failingBinds = new ConcurrentHashMap<>();
    private final Map<String, Boolean> heldBinds = new ConcurrentHashMap<>();
    private final Map<String, Sinks.One<Void>> pendingBinds = new ConcurrentHashMap<>();
    private final List<Sinks.One<Void>> pendingPublishes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, List<StubConsumer>> consumers = new ConcurrentHashMap<>();
    private volatile boolean holdPublishes;
    private volatile String failPublishes;
    private volatile DeliveryListener listener;

    // ------------------------------------------------------------------ behaviour

    /** The next {@code bindTopic(pattern)} waits until {@link #completeBind} or {@link #failBind}. */
    void holdBind(String pattern) {
        heldBinds.put(pattern, Boolean.TRUE);
    }

    void completeBind(String pattern) {
        Sinks.One<Void> pending = pendingBinds.remove(pattern);
        if (pending == null) {
            throw new AssertionError("no bindTopic(" + pattern + ") is pending; calls: " + calls());
        }
        pending.tryEmitEmpty().orThrow();
    }

    void failBind(String pattern, String message) {
        Sinks.One<Void> pending = pendingBinds.remove(pattern);
        if (pending == null) {
            throw new AssertionError("no bindTopic(" + pattern + ") is pending; calls: " + calls());
        }
        pending.tryEmitError(new BrokerException(message)).orThrow();
    }

    /** Every {@code bindTopic(pattern)} fails at once with a {@link BrokerException} carrying {@code message}. */
    void refuseBinds(String pattern, String message) {
        failingBinds.put(pattern, message);
    }

    void acceptBinds(String pattern) {
        failingBinds.remove(pattern);
    }

    /** From now on, every publish waits until the test completes it ({@link #pendingPublish}). */
    void holdPublishes() {
        holdPublishes = true;
    }

    /** From now on, every publish fails at once with a {@link BrokerException} carrying {@code message}. */
    void refusePublishes(String message) {
        failPublishes = message;
    }

    /** The sink of the {@code index}-th held publish (0-based, in subscription order): complete or fail it. */
    Sinks.One<Void> pendingPublish(int index) {
        synchronized (pendingPublishes) {
            if (index >= pendingPublishes.size()) {
                throw new AssertionError("only " + pendingPublishes.size() + " publishes are held");
            }
            return pendingPublishes.get(index);
        }
    }

    void completePublish(int index) {
        pendingPublish(index).tryEmitEmpty().orThrow();
    }

    void failPublish(int index, String message) {
        pendingPublish(index).tryEmitError(new BrokerException(message)).orThrow();
    }

    // ------------------------------------------------------------------ what happened

    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    List<Call> calls(Op op) {
        return calls().stream().filter(c -> c.op() == op).toList();
    }

    /** The binding calls for one pattern or user, in order. */
    List<Op> bindingHistory(String target) {
        return calls().stream()
                .filter(c -> c.target().equals(target))
                .filter(c -> c.op() == Op.BIND_TOPIC || c.op() == Op.UNBIND_TOPIC
                        || c.op() == Op.BIND_USER || c.op() == Op.UNBIND_USER)
                .map(Call::op)
                .toList();
    }

    /** Net topic binding per pattern: bindTopic calls minus unbindTopic calls. */
    Map<String, Integer> netTopicBindings() {
        Map<String, Integer> net = new LinkedHashMap<>();
        for (Call c : calls()) {
            if (c.op() == Op.BIND_TOPIC) {
                net.merge(c.target(), 1, Integer::sum);
            }
            else if (c.op() == Op.UNBIND_TOPIC) {
                net.merge(c.target(), -1, Integer::sum);
            }
        }
        return net;
    }

    List<Publication> publications() {
        synchronized (publications) {
            return List.copyOf(publications);
        }
    }

    DeliveryListener listener() {
        return listener;
    }

    /** Hands {@code message} to the first live consumer of {@code queue}, as a broker thread would. */
    StubDelivery deliver(String queue, BrokerMessage message) {
        List<StubConsumer> live = consumers.getOrDefault(queue, List.of()).stream().filter(c -> !c.cancelled).toList();
        if (live.isEmpty()) {
            throw new AssertionError("no live consumer on queue '" + queue + "'; calls: " + calls());
        }
        StubDelivery delivery = new StubDelivery(queue, message);
        live.get(0).delivered.add(delivery);
        live.get(0).listener.onDelivery(delivery);
        return delivery;
    }

    // ------------------------------------------------------------------ MessageBroker

    @Override
    public Mono<Void> start(DeliveryListener deliveryListener) {
        return Mono.fromRunnable(() -> this.listener = deliveryListener);
    }

    @Override
    public Mono<Void> bindTopic(String pattern) {
        return Mono.defer(() -> {
            calls.add(new Call(Op.BIND_TOPIC, pattern));
            String failure = failingBinds.get(pattern);
            if (failure != null) {
                return Mono.error(new BrokerException(failure));
            }
            if (heldBinds.remove(pattern) != null) {
                Sinks.One<Void> pending = Sinks.one();
                pendingBinds.put(pattern, pending);
                return pending.asMono();
            }
            return Mono.empty();
        });
    }

    @Override
    public Mono<Void> unbindTopic(String pattern) {
        return record(Op.UNBIND_TOPIC, pattern);
    }

    @Override
    public Mono<Void> bindUser(String user) {
        return record(Op.BIND_USER, user);
    }

    @Override
    public Mono<Void> unbindUser(String user) {
        return record(Op.UNBIND_USER, user);
    }

    @Override
    public Mono<Void> publish(Publication publication) {
        return Mono.defer(() -> {
            calls.add(new Call(Op.PUBLISH, describe(publication)));
            publications.add(publication);
            String failure = failPublishes;
            if (failure != null) {
                return Mono.error(new BrokerException(failure));
            }
            if (holdPublishes) {
                Sinks.One<Void> pending = Sinks.one();
                pendingPublishes.add(pending);
                return pending.asMono();
            }
            return Mono.empty();
        });
    }

    @Override
    public Mono<QueueConsumer> consumeQueue(String queue, int prefetch, QueueListener queueListener) {
        return Mono.fromSupplier(() -> {
            calls.add(new Call(Op.CONSUME_QUEUE, queue));
            StubConsumer consumer = new StubConsumer(queue, prefetch, queueListener);
            consumers.computeIfAbsent(queue, q -> Collections.synchronizedList(new ArrayList<>())).add(consumer);
            return consumer;
        });
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
    public void onNodeMessages(String kind, NodeMessageListener listener) {
        // sessions send no node messages
    }

    /** No topic keeps a history here. */
    @Override
    public History history() {
        return History.none();
    }

    @Override
    public HistoryRead readHistory(HistoryStart start, HistoryReader reader) {
        reader.onError(new BrokerException("no topic keeps a history"));
        return () -> { };
    }

    /** As a cluster node with the default queue prefix ({@code stomp.queue.}) would say. */
    @Override
    public int maxQueueNameBytes() {
        return 255 - "stomp.queue.".length();
    }

    @Override
    public Mono<Void> stop() {
        return Mono.empty();
    }

    private Mono<Void> record(Op op, String target) {
        return Mono.fromRunnable(() -> calls.add(new Call(op, target)));
    }

    private static String describe(Publication p) {
        return p.address().toString();
    }

    /**
     * A queue consumer that records its cancellation and, as the {@link QueueConsumer}
     * contract says, gives every delivery still unsettled back to the queue when cancelled.
     */
    final class StubConsumer implements QueueConsumer {
        final String queue;
        final int prefetch;
        final QueueListener listener;
        final List<StubDelivery> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean cancelled;

        StubConsumer(String queue, int prefetch, QueueListener listener) {
            this.queue = queue;
            this.prefetch = prefetch;
            this.listener = listener;
        }

        @Override
        public Mono<Void> cancel() {
            return Mono.fromRunnable(() -> {
                if (!cancelled) {
                    cancelled = true;
                    calls.add(new Call(Op.CANCEL_CONSUMER, queue));
                    for (StubDelivery d : delivered) {
                        if (!d.acked && d.rejectedWithRequeue == null) {
                            d.rejectedWithRequeue = true; // requeued by the broker on cancel
                        }
                    }
                }
            });
        }
    }

    /** A queue delivery that records how it was settled. */
    final class StubDelivery implements QueueDelivery {
        final String queue;
        final BrokerMessage message;
        volatile boolean acked;
        volatile Boolean rejectedWithRequeue;

        StubDelivery(String queue, BrokerMessage message) {
            this.queue = queue;
            this.message = message;
        }

        @Override
        public BrokerMessage message() {
            return message;
        }

        @Override
        public boolean redelivered() {
            return false;
        }

        @Override
        public void ack() {
            acked = true;
            calls.add(new Call(Op.ACK, new String(message.body(), java.nio.charset.StandardCharsets.UTF_8)));
        }

        @Override
        public void reject(boolean requeue) {
            rejectedWithRequeue = requeue;
            calls.add(new Call(Op.REJECT, new String(message.body(), java.nio.charset.StandardCharsets.UTF_8)));
        }
    }
}
