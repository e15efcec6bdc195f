package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.BrokerStatus;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.Publication;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueListener;
import io.stompgate.broker.UnroutableException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * (contract section 5). The node owns one exclusive queue, bound to the topic
 * exchange once per pattern its sessions subscribe to and to the user exchange
 * once per principal connected to it, so a broadcast costs the broker one
 * delivery per node.
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
 * <p>Built on the RabbitMQ Java client directly, with its automatic recovery
 * off: recovery here must follow the node's own state and deadlines.
 */
public final class RabbitBroker implements MessageBroker {

    private static final Logger log = LoggerFactory.getLogger(RabbitBroker.class);

    /** How long a quiet node queue keeps deliveries unacknowledged before acking them. */
    static final java.time.Duration ACK_LINGER = java.time.Duration.ofMillis(200);

    private final RabbitBrokerOptions options;
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
    private volatile boolean up;
    /** RabbitMQ blocked the connection (a resource alarm): it takes no publishes until it unblocks. */
    private volatile boolean blocked;
    private volatile DeliveryListener listener;

    // Everything below is touched only on the io thread.
    private Connection connection;
    private Channel publishChannel;
    private Channel topologyChannel;
    private Channel nodeChannel;
    private Channel queueChannel;
    private volatile long generation;
    private boolean started;
    private boolean stopped;
    private int failedAttempts;
    private boolean reconnectScheduled;
    private final Deque<Op> parked = new ArrayDeque<>();
    private final NavigableMap<Long, PublishOp> unconfirmed = new TreeMap<>();
    private final Map<String, PublishOp> publishesById = new HashMap<>();
    private final Set<String> boundPatterns = new HashSet<>();
    private final Set<String> boundUsers = new HashSet<>();
    private final Set<String> declaredQueues = new HashSet<>();
    private final Map<Long, RabbitQueueConsumer> queueConsumers = new LinkedHashMap<>();
    private long nextConsumerId;

    public RabbitBroker(RabbitBrokerOptions options) {
        this.options = options;
        this.factory = new ConnectionFactory();
        factory.setUsername(options.username());
        factory.setPassword(options.password());
        factory.setVirtualHost(options.virtualHost());
        factory.setRequestedHeartbeat((int) Math.max(0, options.requestedHeartbeat().toSeconds()));
        factory.setConnectionTimeout((int) options.connectionTimeout().toMillis());
        factory.setHandshakeTimeout((int) options.connectionTimeout().toMillis());
        factory.setAutomaticRecoveryEnabled(false);
        factory.setSharedExecutor(new CallerRunsExecutor());
        factory.setTopologyRecoveryEnabled(false);
        if (options.tls()) {
            try {
                factory.useSslProtocol(javax.net.ssl.SSLContext.getDefault());
                factory.enableHostnameVerification();
            }
            catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("TLS to RabbitMQ is not available in this JVM", e);
            }
        }
        this.io = singleThread("stompgate-amqp-" + options.nodeId());
        this.deadlines = singleThread("stompgate-amqp-deadlines-" + options.nodeId());
        status.tryEmitNext(BrokerStatus.DOWN);
    }

    private static ScheduledExecutorService singleThread(String threadName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /** Deliveries taken from the node queue: one per broadcast or user message, however many sessions get it. */
    public long nodeDeliveryCount() {
        return nodeDeliveries.get();
    }

    /** Times the node reconnected after losing the broker. */
    public long reconnectCount() {
        return reconnects.get();
    }

    public RabbitBrokerOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- MessageBroker

    /** Completes once the first connection is made and the node queue is consumed. */
    @Override
    public Mono<Void> start(DeliveryListener deliveryListener) {
        return Mono.defer(() -> {
            this.listener = deliveryListener;
            io.execute(() -> {
                if (!started && !stopped) {
                    started = true;
                    connect();
                }
            });
            return firstConnect.asMono();
        });
    }

    @Override
    public Mono<Void> bindTopic(String pattern) {
        return submit("bind topic pattern", op -> {
            topologyChannel.queueBind(options.nodeQueue(), options.topicExchange(), pattern);
            boundPatterns.add(pattern);
            op.succeed();
        });
    }

    @Override
    public Mono<Void> unbindTopic(String pattern) {
        return submit("unbind topic pattern", op -> {
            boundPatterns.remove(pattern);
            topologyChannel.queueUnbind(options.nodeQueue(), options.topicExchange(), pattern);
            op.succeed();
        }, () -> boundPatterns.remove(pattern));
    }

    @Override
    public Mono<Void> bindUser(String user) {
        return submit("bind user", op -> {
            topologyChannel.queueBind(options.nodeQueue(), options.userExchange(), user);
            boundUsers.add(user);
            op.succeed();
        });
    }

    @Override
    public Mono<Void> unbindUser(String user) {
        return submit("unbind user", op -> {
            boundUsers.remove(user);
            topologyChannel.queueUnbind(options.nodeQueue(), options.userExchange(), user);
            op.succeed();
        }, () -> boundUsers.remove(user));
    }

    @Override
    public Mono<Void> publish(Publication publication) {
        return Mono.<Void>create(sink -> {
            PublishOp op = new PublishOp(sink, publication, options.nodeId() + ":" + publishIds.incrementAndGet());
            enqueue(op);
        });
    }

    @Override
    public Mono<QueueConsumer> consumeQueue(String queue, int prefetch, QueueListener queueListener) {
        return Mono.<QueueConsumer>create(sink -> enqueue(new Op("consume queue", sink) {
            @Override
            void run() throws IOException {
                RabbitQueueConsumer consumer = new RabbitQueueConsumer(nextConsumerId++, queue, prefetch, queueListener);
                declaredQueues.remove(queue); // declare for real: the queue may have been deleted since
                declareQueue(queue);
                queueConsumers.put(consumer.id, consumer);
                try {
                    startConsumer(consumer);
                }
                catch (IOException | RuntimeException e) {
                    queueConsumers.remove(consumer.id);
                    throw e;
                }
                succeedWith(consumer);
            }
        }));
    }

    @Override
    public Flux<BrokerStatus> status() {
        return status.asFlux();
    }

    @Override
    public boolean isUp() {
        return up && !blocked;
    }

    /** Closes the connection, which deletes the node queue and with it every binding. Idempotent. */
    @Override
    public Mono<Void> stop() {
        return Mono.<Void>create(sink -> {
            try {
                io.execute(() -> {
                    if (!stopped) {
                        stopped = true;
                        setUp(false);
                        failAll(new BrokerException("the node is shutting down"));
                        closeConnection();
                        log.info("broker connection closed node={}", options.nodeId());
                    }
                    sink.success();
                });
            }
            catch (java.util.concurrent.RejectedExecutionException e) {
                sink.success();
            }
        }).then(Mono.fromRunnable(() -> {
            io.shutdown();
            deadlines.shutdown();
        }));
    }

    // ---------------------------------------------------------------- operations

    /** A unit of work on the io thread; completes its sink when its effect is in place. */
    private abstract class Op {
        final String what;
        final MonoSink<?> sink;
        final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        volatile ScheduledFuture<?> deadline;

        Op(String what, MonoSink<?> sink) {
            this.what = what;
            this.sink = sink;
        }

        /** Runs with the connection up; may throw if it is going down. */
        abstract void run() throws IOException;

        /**
         * What must happen in the node's own record even when the broker never saw the
         * operation (it expired while parked): an unbind still forgets its binding, a cancel
         * its consumer, or the next reconnect would restore them. Runs on the io thread.
         */
        void onExpired() {
        }

        boolean isDone() {
            return done.get();
        }

        void succeed() {
            if (finish()) {
                sink.success();
            }
        }

        @SuppressWarnings("unchecked")
        <T> void succeedWith(T value) {
            if (finish()) {
                ((MonoSink<T>) sink).success(value);
            }
        }

        void fail(Throwable error) {
            if (finish()) {
                sink.error(error);
            }
        }

        private boolean finish() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
            return true;
        }
    }

    @FunctionalInterface
    private interface OpBody {
        void run(Op op) throws IOException;
    }

    private Mono<Void> submit(String what, OpBody body) {
        return submit(what, body, () -> { });
    }

    /** @param onExpired the bookkeeping that still applies if the operation expires while parked */
    private Mono<Void> submit(String what, OpBody body, Runnable onExpired) {
        return Mono.<Void>create(sink -> enqueue(new Op(what, sink) {
            @Override
            void run() throws IOException {
                body.run(this);
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
    private void enqueue(Op op) {
        try {
            op.deadline = deadlines.schedule(() -> expire(op), options.operationTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
            io.execute(() -> {
                if (stopped) {
                    op.fail(new BrokerException("the node is shutting down"));
                    return;
                }
                if (op.isDone()) {
                    return;
                }
                if (isUp()) {
                    runOrPark(op);
                }
                else {
                    parked.addLast(op);
                }
            });
        }
        catch (java.util.concurrent.RejectedExecutionException e) {
            op.fail(new BrokerException("the node is shutting down"));
        }
    }

    private void runOrPark(Op op) {
        if (op.isDone()) {
            return;
        }
        try {
            op.run();
        }
        catch (IOException | ShutdownSignalException e) {
            ShutdownSignalException signal = shutdownSignal(e);
            boolean softOnTopology = signal != null && !signal.isHardError() && connection != null
                    && connection.isOpen() && signal.getReference() == topologyChannel;
            if (softOnTopology) {
                // The broker refused this operation and closed the topology channel: report it, keep the rest.
                op.fail(new BrokerException(op.what + " refused: " + replyText(signal)));
                reopenTopologyChannel();
            }
            else {
                parked.addFirst(op);
                connectionLost("operation failed: " + e);
            }
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
    private void expire(Op op) {
        if (op.isDone()) {
            return;
        }
        op.fail(new BrokerException("broker unavailable: " + op.what + " not done within "
                + options.operationTimeout().toMillis() + " ms"));
        onIo(() -> {
            parked.remove(op);
            if (op instanceof PublishOp publish) {
                publishesById.remove(publish.messageId);
                unconfirmed.values().remove(publish);
            }
            op.onExpired();
        });
    }

    private void failAll(BrokerException error) {
        for (Op op : parked) {
            op.fail(error);
        }
        parked.clear();
        for (PublishOp op : unconfirmed.values()) {
            op.fail(error);
        }
        unconfirmed.clear();
        publishesById.clear();
    }

    // ---------------------------------------------------------------- publishing

    private final class PublishOp extends Op {
        final Publication publication;
        final String messageId;
        boolean returned;
        boolean retried;

        PublishOp(MonoSink<Void> sink, Publication publication, String messageId) {
            super("publish", sink);
            this.publication = publication;
            this.messageId = messageId;
        }

        @Override
        void run() throws IOException {
            Address address = publication.address();
            BrokerMessage message = publication.message();
            String exchange;
            String routingKey;
            boolean mandatory = false;
            boolean persistent = false;
            Map<String, Object> extra = Map.of();
            if (address instanceof Address.Topic topic) {
                exchange = options.topicExchange();
                routingKey = topic.key();
            }
            else if (address instanceof Address.User user) {
                exchange = options.userExchange();
                routingKey = user.user();
                extra = Map.of(AmqpMessages.DESTINATION_HEADER, "/queue/" + user.queue());
            }
            else if (address instanceof Address.Queue queue) {
                declareQueue(queue.name());
                exchange = "";
                routingKey = options.queueName(queue.name());
                persistent = true;
                mandatory = true; // a queue deleted behind the node's back must not swallow messages
            }
            else {
                Address.App app = (Address.App) address;
                exchange = options.appExchange();
                routingKey = app.key();
                mandatory = true;
                Map<String, Object> origin = new HashMap<>();
                origin.put(AmqpMessages.NODE_HEADER, options.nodeId());
                if (publication.user() != null) {
                    origin.put(AmqpMessages.USER_HEADER, publication.user());
                }
                if (publication.sessionId() != null) {
                    origin.put(AmqpMessages.SESSION_HEADER, publication.sessionId());
                }
                extra = origin;
            }
            AMQP.BasicProperties props;
            try {
                props = AmqpMessages.properties(message, extra, persistent, messageId);
            }
            catch (BrokerException e) {
                fail(e); // refused before the channel numbered it: nothing is out of step
                return;
            }
            long seq = publishChannel.getNextPublishSeqNo();
            publishChannel.basicPublish(exchange, routingKey, mandatory, props, message.body());
            unconfirmed.put(seq, this);
            if (mandatory) {
                publishesById.put(messageId, this);
            }
        }

        void confirmed(boolean ack) {
            publishesById.remove(messageId);
            Address address = publication.address();
            if (!ack) {
                fail(new BrokerException("the broker refused the message"));
            }
            else if (returned && address instanceof Address.App app) {
                fail(new UnroutableException("no application backend is bound for '/app/" + app.key() + "'"));
            }
            else if (returned && address instanceof Address.Queue queue) {
                // The durable queue was deleted since this node declared it: declare it again, publish again.
                declaredQueues.remove(queue.name());
                returned = false;
                if (retried) {
                    fail(new BrokerException("queue '" + queue.name() + "' could not be declared again"));
                }
                else {
                    retried = true;
                    runOrPark(this);
                }
            }
            else {
                succeed();
            }
        }
    }

    private void onConfirm(long generationOfChannel, long seq, boolean multiple, boolean ack) {
        if (generationOfChannel != generation) {
            return;
        }
        if (multiple) {
            NavigableMap<Long, PublishOp> head = unconfirmed.headMap(seq, true);
            List<PublishOp> ops = new ArrayList<>(head.values());
            head.clear();
            ops.forEach(op -> op.confirmed(ack));
        }
        else {
            PublishOp op = unconfirmed.remove(seq);
            if (op != null) {
                op.confirmed(ack);
            }
        }
    }

    private void onReturn(Return returned) {
        String id = returned.getProperties().getMessageId();
        PublishOp op = id == null ? null : publishesById.get(id);
        if (op != null) {
            op.returned = true;
        }
    }

    private void declareQueue(String name) throws IOException {
        if (declaredQueues.add(name)) {
            try {
                topologyChannel.queueDeclare(options.queueName(name), true, false, false, null);
            }
            catch (IOException | RuntimeException e) {
                declaredQueues.remove(name);
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------- queue consumers

    /** A {@code /queue} consumer: what to re-create after a reconnect, and its unsettled deliveries. */
    private final class RabbitQueueConsumer implements QueueConsumer {
        final long id;
        final String queue;
        final int prefetch;
        final QueueListener queueListener;
        long consumerGeneration = -1;
        String consumerTag;
        boolean cancelled;
        final Set<Long> unsettled = new HashSet<>();

        RabbitQueueConsumer(long id, String queue, int prefetch, QueueListener queueListener) {
            this.id = id;
            this.queue = queue;
            this.prefetch = prefetch;
            this.queueListener = queueListener;
        }

        @Override
        /**
         * Never waits for the broker: the node forgets the consumer at once (so a reconnect
         * does not restore it), and cancels it at the broker only if the connection is up; if
         * it is not, the broker has already given its unacknowledged messages back.
         */
        public Mono<Void> cancel() {
            return Mono.create(sink -> {
                try {
                    io.execute(() -> {
                        cancelNow();
                        sink.success();
                    });
                }
                catch (java.util.concurrent.RejectedExecutionException e) {
                    sink.success();
                }
            });
        }

        private void cancelNow() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            queueConsumers.remove(id);
            if (consumerGeneration == generation && queueChannel != null && queueChannel.isOpen()) {
                try {
                    queueChannel.basicCancel(consumerTag);
                    for (long tag : unsettled) {
                        queueChannel.basicNack(tag, false, true);
                    }
                }
                catch (IOException | ShutdownSignalException e) {
                    log.debug("cancelling a queue consumer at the broker failed: {}", e.toString());
                }
            }
            unsettled.clear();
        }

        void settle(long consumerGen, long tag, boolean ack, boolean requeue) {
            onIo(() -> {
                if (consumerGen != generation || consumerGen != consumerGeneration || !unsettled.remove(tag)) {
                    return; // from before a reconnect (the broker requeued it) or already settled
                }
                try {
                    if (ack) {
                        queueChannel.basicAck(tag, false);
                    }
                    else {
                        queueChannel.basicNack(tag, false, requeue);
                    }
                }
                catch (IOException | AlreadyClosedException e) {
                    log.debug("settling a queue delivery failed: {}", e.toString());
                }
            });
        }
    }

    private void startConsumer(RabbitQueueConsumer consumer) throws IOException {
        long gen = generation;
        Channel channel = queueChannel;
        channel.basicQos(consumer.prefetch, false);
        consumer.consumerGeneration = gen;
        consumer.unsettled.clear();
        consumer.consumerTag = channel.basicConsume(options.queueName(consumer.queue), false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                long deliveryTag = envelope.getDeliveryTag();
                BrokerMessage message = AmqpMessages.fromAmqp(properties, body);
                onIo(() -> {
                    if (gen != generation) {
                        return; // the old connection's delivery: the broker has requeued it
                    }
                    if (consumer.cancelled) {
                        nackQuietly(channel, deliveryTag); // arrived while being cancelled
                        return;
                    }
                    consumer.unsettled.add(deliveryTag);
                    consumer.queueListener.onDelivery(new RabbitQueueDelivery(message, envelope.isRedeliver(),
                            (ack, requeue) -> consumer.settle(gen, deliveryTag, ack, requeue)));
                });
            }

            @Override
            public void handleCancel(String tag) {
                // The broker cancelled it (the queue was deleted): declare the queue again and consume anew.
                log.warn("queue consumer cancelled by the broker node={} queue={}; restoring it", options.nodeId(),
                        consumer.queue);
                onIo(() -> {
                    if (gen != generation || consumer.cancelled || !queueConsumers.containsKey(consumer.id)) {
                        return;
                    }
                    try {
                        declaredQueues.remove(consumer.queue);
                        declareQueue(consumer.queue);
                        startConsumer(consumer);
                    }
                    catch (IOException | ShutdownSignalException e) {
                        connectionLost("restoring a cancelled queue consumer failed: " + e);
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

    // ---------------------------------------------------------------- node queue

    private void startNodeConsumer() throws IOException {
        long gen = generation;
        Channel channel = nodeChannel;
        int ackEvery = Math.max(1, options.prefetch() / 2);
        channel.basicQos(options.prefetch(), false);
        channel.basicConsume(options.nodeQueue(), false, new DefaultConsumer(channel) {
            // Acks are cumulative, one per ackEvery deliveries; a quiet queue gets the rest acked after
            // ACK_LINGER, so an idle node does not show hundreds of unacked messages in RabbitMQ.
            private int unacked;
            private long lastTag;
            private boolean flushScheduled;

            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                try {
                    dispatch(envelope, properties, body);
                }
                catch (RuntimeException e) {
                    log.warn("dispatching a delivery failed node={}: {}", options.nodeId(), e.toString());
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
                        io.schedule(this::flush, ACK_LINGER.toMillis(), TimeUnit.MILLISECONDS); // never on the deadline timer: an ack may block
                    }
                    catch (java.util.concurrent.RejectedExecutionException stopped) {
                        // stopping: the channel closes with the connection
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
                if (gen != generation || !channel.isOpen()) {
                    return;
                }
                try {
                    channel.basicAck(deliveryTag, true);
                }
                catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
                    log.debug("acking node queue deliveries failed node={}: {}", options.nodeId(), e.toString());
                }
            }
        });
    }

    private void dispatch(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        nodeDeliveries.incrementAndGet();
        DeliveryListener l = listener;
        if (l == null) {
            return;
        }
        String exchange = envelope.getExchange();
        if (exchange.equals(options.topicExchange())) {
            l.onTopicMessage(envelope.getRoutingKey(), AmqpMessages.fromAmqp(properties, body));
        }
        else if (exchange.equals(options.userExchange())) {
            Map<String, Object> headers = properties.getHeaders();
            String destination = headers == null ? null : AmqpMessages.stringValue(headers.get(AmqpMessages.DESTINATION_HEADER));
            if (destination == null || !destination.startsWith("/queue/") || destination.length() == "/queue/".length()) {
                log.debug("user message without a valid {} header dropped", AmqpMessages.DESTINATION_HEADER);
                return;
            }
            l.onUserMessage(envelope.getRoutingKey(), destination.substring("/queue/".length()),
                    AmqpMessages.fromAmqp(properties, body));
        }
    }

    // ---------------------------------------------------------------- connection lifecycle

    private void connect() {
        reconnectScheduled = false;
        if (stopped) {
            return;
        }
        try {
            List<com.rabbitmq.client.Address> addresses = options.addresses().stream()
                    .map(e -> new com.rabbitmq.client.Address(e.host(), e.port())).toList();
            Connection c = factory.newConnection(addresses, "stompgate " + options.nodeId());
            generation++;
            connection = c;
            long gen = generation;
            c.addShutdownListener(cause -> onIo(() -> {
                if (gen == generation && !stopped) {
                    connectionLost(describe(cause));
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
            restoreTopology();
            failedAttempts = 0;
            setUp(true);
            if (gen > 1) {
                reconnects.incrementAndGet();
                log.info("broker recovered node={} queue={} bindings={} users={} queueConsumers={}", options.nodeId(),
                        options.nodeQueue(), boundPatterns.size(), boundUsers.size(), queueConsumers.size());
            }
            else {
                log.info("node queue declared node={} queue={}", options.nodeId(), options.nodeQueue());
            }
            firstConnect.tryEmitEmpty();
            drainParked();
        }
        catch (IOException | TimeoutException | RuntimeException e) {
            generation++; // whatever the half-opened connection started must not count
            failedAttempts++;
            if (failedAttempts <= 3 || failedAttempts % 10 == 0) {
                log.warn("broker connection failed node={} addresses={} attempt={}: {}", options.nodeId(),
                        options.addresses(), failedAttempts, failureText(e));
            }
            closeConnection();
            scheduleReconnect();
        }
    }

    private void openChannels(long gen) throws IOException {
        publishChannel = connection.createChannel();
        publishChannel.confirmSelect();
        publishChannel.addConfirmListener(
                (seq, multiple) -> onIo(() -> onConfirm(gen, seq, multiple, true)),
                (seq, multiple) -> onIo(() -> onConfirm(gen, seq, multiple, false)));
        publishChannel.addReturnListener(r -> onIo(() -> onReturn(r)));
        topologyChannel = connection.createChannel();
        nodeChannel = connection.createChannel();
        queueChannel = connection.createChannel();
        for (Channel channel : List.of(publishChannel, nodeChannel, queueChannel)) {
            channel.addShutdownListener(cause -> onIo(() -> {
                if (gen == generation && !stopped && !cause.isHardError() && !cause.isInitiatedByApplication()) {
                    connectionLost("channel closed: " + describe(cause));
                }
            }));
        }
    }

    /** Declares the exchanges and the node queue, and re-asserts every binding and consumer still needed. */
    private void restoreTopology() throws IOException {
        topologyChannel.exchangeDeclare(options.topicExchange(), BuiltinExchangeType.TOPIC, true);
        topologyChannel.exchangeDeclare(options.userExchange(), BuiltinExchangeType.DIRECT, true);
        topologyChannel.exchangeDeclare(options.appExchange(), BuiltinExchangeType.TOPIC, true);
        topologyChannel.queueDeclare(options.nodeQueue(), false, true, true, null);
        for (String pattern : boundPatterns) {
            topologyChannel.queueBind(options.nodeQueue(), options.topicExchange(), pattern);
        }
        for (String user : boundUsers) {
            topologyChannel.queueBind(options.nodeQueue(), options.userExchange(), user);
        }
        declaredQueues.clear();
        for (Iterator<RabbitQueueConsumer> it = queueConsumers.values().iterator(); it.hasNext(); ) {
            RabbitQueueConsumer consumer = it.next();
            try {
                declareQueue(consumer.queue);
            }
            catch (IOException e) {
                ShutdownSignalException signal = shutdownSignal(e);
                if (signal == null || signal.isHardError()) {
                    throw e;
                }
                // That queue cannot be used any more (changed or deleted by someone else): drop its consumer.
                log.warn("queue consumer not restored node={} queue={}: {}", options.nodeId(), consumer.queue,
                        replyText(signal));
                it.remove();
                topologyChannel = connection.createChannel();
            }
        }
        for (RabbitQueueConsumer consumer : queueConsumers.values()) {
            startConsumer(consumer);
        }
        startNodeConsumer();
    }

    private void drainParked() {
        while (isUp() && !parked.isEmpty()) {
            runOrPark(parked.pollFirst());
        }
    }

    private void connectionLost(String reason) {
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
        List<PublishOp> again = new ArrayList<>(unconfirmed.values());
        unconfirmed.clear();
        publishesById.clear();
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
        delay = Math.max(1, delay + (long) ((java.util.concurrent.ThreadLocalRandom.current().nextDouble() - 0.5) * 0.4 * delay));
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

    /** Runs {@code task} on the io thread; dropped once the broker is stopped. */
    private void onIo(Runnable task) {
        try {
            io.execute(task);
        }
        catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("broker stopped; callback dropped");
        }
    }

    private void setUp(boolean isUp) {
        if (up != isUp) {
            up = isUp;
            status.tryEmitNext(isUp ? BrokerStatus.UP : BrokerStatus.DOWN);
        }
    }

    private static ShutdownSignalException shutdownSignal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException s) {
                return s;
            }
        }
        return null;
    }

    private static String replyText(ShutdownSignalException signal) {
        Object reason = signal.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
            return close.getReplyText();
        }
        if (reason instanceof AMQP.Connection.Close close) {
            return close.getReplyText();
        }
        return signal.getMessage();
    }

    /**
     * What went wrong, with the broker's own words when it closed something: a bare
     * {@code java.io.IOException} hides, for example, that the node queue is still
     * held by this node's previous connection (RESOURCE_LOCKED) until RabbitMQ notices it is dead.
     */
    static String failureText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException signal) {
                return e.getClass().getSimpleName() + ": " + describe(signal);
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (caused by " + root + ")";
    }

    private static String describe(ShutdownSignalException cause) {
        return cause.isInitiatedByApplication() ? "closed by the node" : replyText(cause);
    }

    // Visible for tests: what the node believes is bound.
    Set<String> boundPatternsSnapshot() {
        return callOnIo(() -> Set.copyOf(boundPatterns));
    }

    private <T> T callOnIo(java.util.concurrent.Callable<T> task) {
        try {
            return io.submit(task).get(10, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
