package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerStartException;
import io.stompgate.broker.BrokerStatus;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.History;
import io.stompgate.broker.HistoryRead;
import io.stompgate.broker.HistoryReader;
import io.stompgate.broker.HistoryStart;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.NodeMessageListener;
import io.stompgate.broker.Publication;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueListener;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/**
 * The cluster broker: every node of a gateway on one RabbitMQ virtual host
 * (docs/protocol.md §5). The node owns one queue, bound to the topic exchange once
 * per pattern its sessions subscribe to and to the user exchange once per principal
 * connected to it, so a broadcast costs the broker one delivery per node. The queue
 * outlives the node's connection ({@link NodeQueue}), so a broker outage shorter
 * than its {@code expires} loses no message routed to the node, and copies that an
 * outage causes are dropped ({@link RecentDeliveries}).
 *
 * <p><b>One thread talks AMQP.</b> Every channel operation (publish, declare,
 * bind, consume, ack of a queue delivery) runs on a single dedicated thread, in
 * the order it was asked for. Event loops never block on a socket, and bind and
 * unbind of one pattern reach the broker in call order.
 *
 * <p><b>The broker may go away.</b> When the connection drops, operations are
 * parked, each with a deadline of {@code operationTimeout}; the node reconnects
 * with backoff, declares its queue again, re-asserts every binding and consumer
 * its sessions still need (its own record of them is the truth, not the client
 * library's), and then runs the parked operations in order. An operation still
 * parked at its deadline fails with {@link BrokerException}. Publishes not yet
 * confirmed when the connection dropped are published again, so a SEND is
 * delivered at least once or reported as failed, never silently lost.
 *
 * <p>Built on the RabbitMQ Java client directly, with its automatic recovery off:
 * recovery here must follow the node's own state and deadlines. Not on
 * reactor-rabbitmq, which is in maintenance and whose send retry sleeps on the
 * calling thread, an event loop here. The parts: {@link AmqpRouting} (addresses to
 * exchanges and keys), {@link AmqpMessages} (message mapping), {@link AmqpErrors}
 * (the broker's reasons), {@link PublisherConfirms}, {@link NodeQueueConsumer} and
 * {@link SharedQueueConsumers}; this class is the single-threaded core.
 */
public final class RabbitBroker implements MessageBroker {

    private static final Logger log = LoggerFactory.getLogger(RabbitBroker.class);

    /** Topic binds sent without waiting before the node waits for them (bounds {@code pendingBinds}). */
    static final int MAX_PENDING_BINDS = 256;

    private final RabbitBrokerOptions options;
    private final AmqpRouting routing;
    private final ConnectionFactory factory;
    private final ScheduledExecutorService io;
    /**
     * Deadlines run here, not on the io thread: when the broker stops reading (a memory or
     * disk alarm) the io thread can block inside a publish, and deadlines must still fire.
     */
    private final ScheduledExecutorService deadlines;
    private final Sinks.Many<BrokerStatus> status = Sinks.many().replay().latest();
    private final Sinks.One<Void> firstConnect = Sinks.one();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong publishIds = new AtomicLong();
    private final AtomicLong nodeDeliveries = new AtomicLong();
    private final AtomicLong copiesDropped = new AtomicLong();
    private final RecentDeliveries recentDeliveries = new RecentDeliveries(RecentDeliveries.DEFAULT_GENERATION_SIZE);
    /** Makes this process's message ids unique even when a node id is reused by a later process. */
    private final String messageIdPrefix;
    private volatile boolean up;
    /** RabbitMQ blocked the connection (a resource alarm): it takes no publishes until it unblocks. */
    private volatile boolean blocked;
    private volatile DeliveryListener listener;
    private final Map<String, NodeMessageListener> nodeListeners = new ConcurrentHashMap<>();
    /** Written on the io thread; read by consumer callbacks to drop a dead connection's late work. */
    private volatile long generation;

    // Everything below is touched only on the io thread.
    private Connection connection;
    private Channel publishChannel;
    private Channel topologyChannel;
    private Channel nodeChannel;
    private Channel queueChannel;
    private boolean started;
    private boolean stopped;
    /** A connection has been made once: the node queue is this process's, to resume rather than take over. */
    private boolean everConnected;
    private int failedAttempts;
    private boolean reconnectScheduled;
    private final Deque<BrokerOp> parked = new ArrayDeque<>();
    /** Topic binds sent without waiting for their bind-ok, oldest first, until one round trip confirms them. */
    private final Deque<TopicBindOp> pendingBinds = new ArrayDeque<>();
    private boolean bindConfirmScheduled;
    private final DurableQueues durableQueues;
    private final PublisherConfirms confirms;
    private final NodeQueue nodeQueue;
    private final HistoryStream historyStream;
    private final SharedQueueConsumers queueConsumers;

    public RabbitBroker(RabbitBrokerOptions options) {
        this.options = options;
        this.routing = new AmqpRouting(options);
        this.nodeQueue = new NodeQueue(options);
        this.historyStream = new HistoryStream(options, recentDeliveries, copiesDropped, () -> listener);
        this.durableQueues = new DurableQueues(routing);
        this.confirms = new PublisherConfirms(routing, durableQueues);
        this.messageIdPrefix = options.nodeId() + ":" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 16, 36)
                + ":";
        this.factory = AmqpConnections.factory(options);
        this.io = AmqpConnections.singleThread("stompgate-amqp-" + options.nodeId());
        this.deadlines = AmqpConnections.deadlineThread("stompgate-amqp-deadlines-" + options.nodeId(),
                options.operationTimeout());
        this.queueConsumers = new SharedQueueConsumers(new SharedQueueConsumers.Io() {
            @Override
            public boolean onIo(Runnable task) {
                return RabbitBroker.this.onIo(task);
            }

            @Override
            public long generation() {
                return generation;
            }

            @Override
            public void declareAgain(String queue) throws IOException {
                durableQueues.forget(queue);
                durableQueues.declare(topologyChannel, queue);
            }

            @Override
            public void connectionLost(String reason) {
                RabbitBroker.this.connectionLost(reason);
            }
        }, routing, options.nodeId());
        status.tryEmitNext(BrokerStatus.DOWN);
    }

    /** Deliveries taken from the node queue: one per broadcast or user message, however many sessions get it. */
    public long nodeDeliveryCount() {
        return nodeDeliveries.get();
    }

    /** Copies the node dropped instead of delivering a message twice (docs/protocol.md §5.2). */
    @Override
    public long copiesDropped() {
        return copiesDropped.get();
    }

    /** Times the node reconnected after losing the broker. */
    public long reconnectCount() {
        return reconnects.get();
    }

    // ---------------------------------------------------------------- MessageBroker

    /** Completes once the first connection is made and the node queue is consumed. */
    @Override
    public Mono<Void> start(DeliveryListener deliveryListener) {
        return Mono.defer(() -> {
            this.listener = deliveryListener;
            onIo(() -> {
                if (!started && !stopped) {
                    started = true;
                    connect();
                }
            });
            return firstConnect.asMono();
        });
    }

    /** A pattern wholly under history needs no binding: the node's history consumer brings its messages. */
    @Override
    public Mono<Void> bindTopic(String pattern) {
        if (options.history().covers(pattern)) {
            return Mono.empty();
        }
        return Mono.<Void>create(sink -> enqueue(new TopicBindOp(pattern, sink)));
    }

    @Override
    public Mono<Void> unbindTopic(String pattern) {
        if (options.history().covers(pattern)) {
            return Mono.empty();
        }
        return submit("unbind topic pattern", () -> nodeQueue.unbindTopic(topologyChannel, pattern),
                () -> nodeQueue.unbindTopicExpired(pattern));
    }

    @Override
    public Mono<Void> bindUser(String user) {
        return submit("bind user", () -> nodeQueue.bindUser(topologyChannel, user),
                () -> nodeQueue.bindUserExpired(user));
    }

    @Override
    public Mono<Void> unbindUser(String user) {
        return submit("unbind user", () -> nodeQueue.unbindUser(topologyChannel, user),
                () -> nodeQueue.unbindUserExpired(user));
    }

    @Override
    public Mono<Void> publish(Publication publication) {
        return Mono.<Void>create(sink -> enqueue(new PublishOp(sink, publication,
                messageIdPrefix + publishIds.incrementAndGet(), op -> confirms.send(op, publishChannel, topologyChannel))));
    }

    @Override
    public void onNodeMessages(String kind, NodeMessageListener nodeListener) {
        nodeListeners.put(kind, nodeListener);
    }

    @Override
    public Mono<QueueConsumer> consumeQueue(String queue, int prefetch, QueueListener queueListener) {
        return Mono.<QueueConsumer>create(sink -> enqueue(new BrokerOp("consume queue", sink) {
            @Override
            void run() throws IOException {
                durableQueues.forget(queue); // declare for real: the queue may have been deleted since
                durableQueues.declare(topologyChannel, queue);
                succeedWith(queueConsumers.add(queue, prefetch, queueListener, queueChannel));
            }
        }));
    }

    @Override
    public History history() {
        return options.history();
    }

    /** Waits for the broker like any operation (up to the operation timeout), then reads on its own channel. */
    @Override
    public HistoryRead readHistory(HistoryStart start, HistoryReader reader) {
        return historyStream.read(start, reader, new HistoryStream.Io() {
            @Override
            public void whenUp(BrokerOp op) {
                enqueue(op);
            }

            @Override
            public Connection connection() {
                return connection;
            }

            @Override
            public boolean onIo(Runnable task) {
                return RabbitBroker.this.onIo(task);
            }
        });
    }

    @Override
    public int maxQueueNameBytes() {
        return routing.maxQueueNameBytes();
    }

    @Override
    public Flux<BrokerStatus> status() {
        return status.asFlux();
    }

    @Override
    public boolean isUp() {
        return up && !blocked;
    }

    /**
     * Deletes the node queue (and with it every binding) as the node's last act, then closes
     * the connection. If the broker is away, the queue expires after {@code expires}. Idempotent.
     */
    @Override
    public Mono<Void> stop() {
        return Mono.<Void>create(sink -> {
            boolean accepted = onIo(() -> {
                if (!stopped) {
                    stopped = true;
                    setUp(false);
                    failAll(new BrokerException("the node is shutting down"));
                    nodeQueue.deleteOnStop(everConnected && connection != null && connection.isOpen() ? topologyChannel
                            : null);
                    closeConnection();
                    log.info("broker connection closed node={}", options.nodeId());
                }
                sink.success();
            });
            if (!accepted) {
                sink.success();
            }
        }).then(Mono.fromRunnable(() -> {
            io.shutdown();
            deadlines.shutdown();
        }));
    }

    // ---------------------------------------------------------------- operations

    /** The channel work of a topology operation, on the io thread. */
    @FunctionalInterface
    private interface ChannelWork {
        void run() throws IOException;
    }

    /** @param onExpired the bookkeeping that still applies if the operation expires while parked */
    private Mono<Void> submit(String what, ChannelWork work, Runnable onExpired) {
        return Mono.<Void>create(sink -> enqueue(new BrokerOp(what, sink) {
            @Override
            void run() throws IOException {
                work.run();
                succeed();
            }

            @Override
            void onExpired() {
                onExpired.run();
            }
        }));
    }

    /**
     * Queues {@code op} for the io thread. Its deadline starts now, from the caller's thread,
     * so that it fires even if the io thread is stuck (a blocked connection).
     */
    private void enqueue(BrokerOp op) {
        try {
            op.deadline = deadlines.schedule(() -> expire(op), options.operationTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
            io.execute(() -> {
                if (stopped) {
                    op.fail(new BrokerException("the node is shutting down"));
                }
                else if (!op.isDone()) {
                    if (isUp()) {
                        runOrPark(op);
                    }
                    else {
                        parked.addLast(op);
                    }
                }
            });
        }
        catch (RejectedExecutionException e) {
            op.fail(new BrokerException("the node is shutting down"));
        }
    }

    private void runOrPark(BrokerOp op) {
        if (op.isDone()) {
            return;
        }
        if (!(op instanceof TopicBindOp) && !pendingBinds.isEmpty()) {
            // Anything but a topic bind runs only once the binds asked for before it are confirmed: a
            // SEND that follows a SUBSCRIBE is still routed to its binding, an unbind follows its bind.
            String lost = confirmPendingBinds();
            if (lost != null) {
                parked.addFirst(op); // behind the unconfirmed binds, which connectionLost parks first
                connectionLost(lost);
                return;
            }
        }
        try {
            op.run();
        }
        catch (IOException | ShutdownSignalException e) {
            ShutdownSignalException signal = AmqpErrors.shutdownSignal(e);
            boolean softOnTopology = signal != null && !signal.isHardError() && connection != null
                    && connection.isOpen() && signal.getReference() == topologyChannel;
            if (softOnTopology) {
                // The broker refused this operation and closed the topology channel: report it, keep the rest.
                op.fail(new BrokerException(op.what + " refused: " + AmqpErrors.replyText(signal)));
                reopenTopologyChannel();
            }
            else {
                parked.addFirst(op);
                connectionLost("operation failed: " + e);
            }
        }
        catch (BrokerException e) {
            op.fail(e); // refused before it reached a channel: nothing is out of step
        }
        catch (RuntimeException e) {
            op.fail(new BrokerException(op.what + " failed"));
            log.warn("broker operation failed node={} operation=\"{}\": {}", options.nodeId(), op.what, e.toString());
            if (op instanceof PublishOp) {
                // The channel's confirm numbering may have moved past a publish the broker never saw.
                connectionLost("publish channel out of step after: " + e);
            }
        }
    }

    /** On the deadline thread: answers the operation now, and tidies the io thread's records later. */
    private void expire(BrokerOp op) {
        if (op.isDone()) {
            return;
        }
        op.fail(new BrokerException("broker unavailable: " + op.what + " not done within "
                + options.operationTimeout().toMillis() + " ms"));
        onIo(() -> {
            parked.remove(op);
            if (op instanceof PublishOp publish) {
                confirms.forget(publish);
            }
            op.onExpired();
        });
    }

    private void failAll(BrokerException error) {
        for (BrokerOp op : pendingBinds) {
            op.fail(error);
        }
        pendingBinds.clear();
        for (BrokerOp op : parked) {
            op.fail(error);
        }
        parked.clear();
        for (PublishOp op : confirms.takeAll()) {
            op.fail(error);
        }
    }

    private void drainParked() {
        while (isUp() && !parked.isEmpty()) {
            runOrPark(parked.pollFirst());
        }
        if (isUp() && !pendingBinds.isEmpty()) {
            scheduleBindConfirm(); // binds sent while the connection was blocked, or just now
        }
    }

    // ---------------------------------------------------------------- topic binds, pipelined

    /**
     * A topic bind. Binding once per pattern per node, a node with many small topics binds thousands
     * of patterns, and the AMQP client lets a channel have one RPC in flight: waiting for each
     * bind-ok made binding one round trip (and one idle turn of the io thread) per pattern. So binds
     * go out without waiting (queue.bind with no-wait), and one round trip confirms all that were
     * sent ({@link #confirmPendingBinds}): at the latest after the binds the io thread has queued up
     * now, after {@link #MAX_PENDING_BINDS}, or before any other operation. Each still completes only
     * once the broker has confirmed it (the SUBSCRIBE's RECEIPT waits for that), in call order.
     */
    private final class TopicBindOp extends BrokerOp {
        final String pattern;

        TopicBindOp(String pattern, MonoSink<Void> sink) {
            super("bind topic pattern", sink);
            this.pattern = pattern;
        }

        @Override
        void run() throws IOException {
            boolean sent = true;
            try {
                nodeQueue.sendTopicBind(topologyChannel, pattern);
            }
            catch (IOException | ShutdownSignalException e) {
                if (pendingBinds.isEmpty()) {
                    throw e; // as for any operation (runOrPark)
                }
                sent = false; // an earlier bind of the batch may have closed the channel: sorted out below
            }
            pendingBinds.addLast(this);
            if (!sent || pendingBinds.size() >= MAX_PENDING_BINDS) {
                String lost = confirmPendingBinds();
                if (lost != null) {
                    connectionLost(lost);
                }
            }
            else {
                scheduleBindConfirm();
            }
        }

        @Override
        void onExpired() {
            nodeQueue.bindTopicExpired(pattern);
        }
    }

    /** After what the io thread has queued up by now (more binds, typically): confirm the pending binds. */
    private void scheduleBindConfirm() {
        if (bindConfirmScheduled) {
            return;
        }
        bindConfirmScheduled = onIo(() -> {
            bindConfirmScheduled = false;
            if (isUp()) { // down: connectionLost parked them; blocked: drainParked comes back here
                String lost = confirmPendingBinds();
                if (lost != null) {
                    connectionLost(lost);
                }
            }
        });
    }

    /**
     * Confirms the binds sent without waiting with one round trip, and completes them in order. If
     * the broker refused one, it closed the topology channel: the rest are bound again one at a time
     * on a new channel, each answered on its own (the refused one fails as a refusal, as before).
     * Returns null, or why the connection is lost; the binds not yet confirmed then stay pending, and
     * {@link #connectionLost} parks them, in order, for after the reconnect.
     */
    private String confirmPendingBinds() {
        if (pendingBinds.isEmpty()) {
            return null;
        }
        try {
            nodeQueue.confirmSent(topologyChannel);
            TopicBindOp op;
            while ((op = pendingBinds.pollFirst()) != null) {
                nodeQueue.topicBound(op.pattern);
                op.succeed();
            }
            return null;
        }
        catch (IOException | ShutdownSignalException e) {
            if (!refusedOnTopology(e)) {
                return "binding failed: " + e;
            }
        }
        TopicBindOp op;
        while ((op = pendingBinds.peekFirst()) != null) {
            try {
                if (!topologyChannel.isOpen()) {
                    topologyChannel = connection.createChannel();
                }
                if (!op.isDone()) { // one that expired meanwhile is unbound as stale (bindTopicExpired)
                    nodeQueue.bindTopic(topologyChannel, op.pattern);
                    op.succeed();
                }
                pendingBinds.pollFirst();
            }
            catch (IOException | ShutdownSignalException e) {
                if (!refusedOnTopology(e)) {
                    return "binding failed: " + e;
                }
                pendingBinds.pollFirst();
                op.fail(new BrokerException(op.what + " refused: " + AmqpErrors.replyText(AmqpErrors.shutdownSignal(e))));
            }
        }
        return null;
    }

    /** The broker refused an operation on the topology channel (closed it), the connection is fine. */
    private boolean refusedOnTopology(Exception e) {
        ShutdownSignalException signal = AmqpErrors.shutdownSignal(e);
        return signal != null && !signal.isHardError() && connection != null && connection.isOpen()
                && signal.getReference() == topologyChannel;
    }

    /** The binds sent but not confirmed go back to the front of the parked operations, in order. */
    private void parkPendingBinds() {
        for (java.util.Iterator<TopicBindOp> it = pendingBinds.descendingIterator(); it.hasNext();) {
            TopicBindOp op = it.next();
            if (!op.isDone()) {
                parked.addFirst(op);
            }
        }
        pendingBinds.clear();
    }

    // ---------------------------------------------------------------- publishing

    /** Publishes returned because their {@code /queue} was gone, once it is declared again; any thread. */
    private void publishAgain(List<PublishOp> ops) {
        if (!ops.isEmpty()) {
            onIo(() -> ops.forEach(op -> {
                durableQueues.forget(op.queue());
                if (isUp()) {
                    runOrPark(op);
                }
                else if (!op.isDone()) {
                    parked.addLast(op);
                }
            }));
        }
    }

    // ---------------------------------------------------------------- connection lifecycle

    private void connect() {
        reconnectScheduled = false;
        if (stopped) {
            return;
        }
        try {
            List<Address> addresses = options.addresses().stream().map(e -> new Address(e.host(), e.port())).toList();
            Connection c = factory.newConnection(addresses, "stompgate " + options.nodeId());
            generation++;
            connection = c;
            long gen = generation;
            c.addShutdownListener(cause -> onIo(() -> {
                if (gen == generation && !stopped) {
                    connectionLost(AmqpErrors.describe(cause));
                }
            }));
            c.addBlockedListener(reason -> {
                // A resource alarm: RabbitMQ reads nothing more from publishers until it clears.
                blocked = true;
                status.tryEmitNext(BrokerStatus.DOWN);
                log.warn("broker blocked the connection node={} reason=\"{}\"", options.nodeId(), reason);
            }, () -> {
                blocked = false;
                log.info("broker unblocked the connection node={}", options.nodeId());
                onIo(() -> {
                    if (up) {
                        status.tryEmitNext(BrokerStatus.UP);
                        drainParked();
                    }
                });
            });
            openChannels(gen);
            restoreTopology(gen);
            failedAttempts = 0;
            boolean resumed = everConnected;
            everConnected = true;
            setUp(true);
            if (resumed) {
                reconnects.incrementAndGet();
                log.info("broker recovered node={} queue={} bindings={} users={} queueConsumers={}", options.nodeId(),
                        nodeQueue.name(), nodeQueue.patternCount(), nodeQueue.userCount(), queueConsumers.size());
            }
            else {
                log.info("node queue declared node={} queue={} type={} expires={} maxBytes={}", options.nodeId(),
                        nodeQueue.name(), options.nodeQueueOptions().type(), options.nodeQueueOptions().expires(),
                        options.nodeQueueOptions().maxBytes());
            }
            firstConnect.tryEmitEmpty();
            drainParked();
        }
        catch (BrokerStartException e) {
            // Waiting cannot mend it (another process owns this node id): the node must not start.
            generation++;
            stopped = true;
            log.error("broker refused the node node={}: {}", options.nodeId(), e.getMessage());
            closeConnection();
            firstConnect.tryEmitError(e);
        }
        catch (IOException | TimeoutException | RuntimeException e) {
            generation++; // whatever the half-opened connection started must not count
            failedAttempts++;
            if (failedAttempts <= 3 || failedAttempts % 10 == 0) {
                log.warn("broker connection failed node={} addresses={} attempt={}: {}", options.nodeId(),
                        options.addresses(), failedAttempts, AmqpErrors.failureText(e));
            }
            closeConnection();
            scheduleReconnect();
        }
    }

    private void openChannels(long gen) throws IOException {
        publishChannel = connection.createChannel();
        publishChannel.confirmSelect();
        // Settled on the reader thread, in the order they arrive (a return comes before its confirm).
        long epoch = confirms.open();
        publishChannel.addConfirmListener(
                (seq, multiple) -> publishAgain(confirms.confirmed(epoch, seq, multiple, true)),
                (seq, multiple) -> publishAgain(confirms.confirmed(epoch, seq, multiple, false)));
        publishChannel.addReturnListener(r -> confirms.returned(epoch, r.getProperties().getMessageId()));
        topologyChannel = connection.createChannel();
        nodeChannel = connection.createChannel();
        queueChannel = connection.createChannel();
        for (Channel channel : List.of(publishChannel, nodeChannel, queueChannel)) {
            channel.addShutdownListener(cause -> onIo(() -> {
                if (gen == generation && !stopped && !cause.isHardError() && !cause.isInitiatedByApplication()) {
                    connectionLost("channel closed: " + AmqpErrors.describe(cause));
                }
            }));
        }
    }

    /**
     * Declares the exchanges; takes the node queue over (first connection) or resumes it with its
     * bindings reconciled; re-asserts every {@code /queue} consumer; consumes the node queue.
     */
    private void restoreTopology(long gen) throws IOException, TimeoutException {
        topologyChannel.exchangeDeclare(options.topicExchange(), BuiltinExchangeType.TOPIC, true);
        topologyChannel.exchangeDeclare(options.userExchange(), BuiltinExchangeType.DIRECT, true);
        topologyChannel.exchangeDeclare(options.appExchange(), BuiltinExchangeType.TOPIC, true);
        topologyChannel.exchangeDeclare(options.clusterExchange(), BuiltinExchangeType.FANOUT, true);
        if (historyStream.isEnabled()) {
            historyStream.declare(topologyChannel);
        }
        if (everConnected) {
            topologyChannel = nodeQueue.resume(connection, topologyChannel);
        }
        else {
            nodeQueue.takeOver(connection, topologyChannel);
        }
        durableQueues.clear();
        for (String queue : queueConsumers.queues()) {
            try {
                durableQueues.declare(topologyChannel, queue);
            }
            catch (IOException e) {
                ShutdownSignalException signal = AmqpErrors.shutdownSignal(e);
                if (signal == null || signal.isHardError()) {
                    throw e;
                }
                // That queue cannot be used any more (changed or deleted by someone else): drop its consumers.
                queueConsumers.dropQueue(queue, AmqpErrors.replyText(signal));
                topologyChannel = connection.createChannel();
            }
        }
        queueConsumers.restoreAll(queueChannel);
        nodeQueue.consume(nodeChannel, new NodeQueueConsumer(nodeChannel, gen, () -> generation, io, routing,
                () -> listener, nodeListeners::get, nodeDeliveries, recentDeliveries, copiesDropped, options.nodeId(),
                options.prefetch()),
                !everConnected);
        if (historyStream.isEnabled()) {
            historyStream.consumeLive(connection, gen, () -> generation, !everConnected);
        }
    }

    private void connectionLost(String reason) {
        parkPendingBinds(); // sent on this connection, unconfirmed: bound again after the reconnect
        if (!up && connection == null) {
            return;
        }
        boolean wasUp = up;
        setUp(false);
        if (wasUp) {
            log.warn("broker lost node={} reason=\"{}\"", options.nodeId(), reason);
        }
        generation++; // ignore late callbacks of the old connection
        // Publishes the broker did not confirm are published again after the reconnect, oldest first.
        List<PublishOp> again = confirms.takeAll();
        for (int i = again.size() - 1; i >= 0; i--) {
            PublishOp op = again.get(i);
            if (!op.isDone()) {
                op.returned = false;
                parked.addFirst(op);
            }
        }
        closeConnection();
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (stopped || reconnectScheduled) {
            return;
        }
        reconnectScheduled = true;
        long min = options.reconnectMin().toMillis();
        long max = options.reconnectMax().toMillis();
        long delay = Math.min(max, min << Math.min(failedAttempts, 16));
        // ±20 % jitter, so that nodes cut off together do not all come back in the same instant.
        delay = Math.max(1, delay + (long) ((ThreadLocalRandom.current().nextDouble() - 0.5) * 0.4 * delay));
        io.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void reopenTopologyChannel() {
        try {
            topologyChannel = connection.createChannel();
        }
        catch (IOException | RuntimeException e) {
            connectionLost("could not reopen a channel: " + e);
        }
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        publishChannel = null;
        topologyChannel = null;
        nodeChannel = null;
        queueChannel = null;
        if (c != null) {
            try {
                c.abort(1000);
            }
            catch (RuntimeException e) {
                log.debug("closing the broker connection: {}", e.toString());
            }
        }
    }

    /** Runs {@code task} on the io thread; false (and dropped) once the broker is stopped. */
    private boolean onIo(Runnable task) {
        try {
            io.execute(task);
            return true;
        }
        catch (RejectedExecutionException e) {
            log.debug("broker stopped; callback dropped");
            return false;
        }
    }

    private void setUp(boolean isUp) {
        if (up != isUp) {
            up = isUp;
            status.tryEmitNext(isUp ? BrokerStatus.UP : BrokerStatus.DOWN);
        }
    }

    // Visible for tests: what the node believes is bound.
    Set<String> boundPatternsSnapshot() {
        return callOnIo(nodeQueue::patterns);
    }

    private <T> T callOnIo(Callable<T> task) {
        try {
            return io.submit(task).get(10, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
