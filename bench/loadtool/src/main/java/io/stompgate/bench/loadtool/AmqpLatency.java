package io.stompgate.bench.loadtool;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.netty.buffer.Unpooled;

/**
 * RabbitMQ's own hop, without any gateway: the {@code latency} scenario's schedule and measurement
 * over a bare AMQP publish/consume round trip (RabbitMQ Java client), so that a run can set the
 * gateway's cross-node latency and CPU beside the part of it that is RabbitMQ's.
 *
 * <p>Two connections to {@code --amqp-uri} (loopback only). The publisher declares a topic exchange of
 * its own ({@code bench.amqp.<random>}, non-durable, auto-delete), turns publisher confirms on and
 * publishes at {@code --rate} msg/s on a {@link Pacer}: bodies of {@code --body-bytes} carry the
 * scheduled send time, exactly as in {@code latency} (a stalled sender counts; no coordinated
 * omission), transient, not mandatory. Every publish is confirmed and the confirms are counted
 * ({@link AmqpConfirms}, with their time from the scheduled send time). The consumer, on the other
 * connection, consumes a server-named exclusive auto-delete queue bound to the exchange, with manual
 * acks batched as the gateway acks its node queue ({@link AmqpAcks}: prefetch {@code --amqp-prefetch}
 * (1000, the gateway's default), one cumulative ack per prefetch/2 deliveries or after
 * {@code --amqp-ack-linger-ms} (200)). Consumer callbacks run on the connection's reader thread, as
 * the gateway runs them (its CallerRunsExecutor): no pool hand-off is added on the client side.
 * Everything declared is deleted at the end.
 */
final class AmqpLatency extends Scenario {

    static final String ROUTING_KEY = "bench.amqp.latency";
    private static final AMQP.BasicProperties PROPS = new AMQP.BasicProperties.Builder().deliveryMode(1).build();

    private final TimedArrivals arrivals;
    private final AmqpConfirms confirms;
    private final AtomicLong sentWindow = new AtomicLong();
    private final String exchange = "bench.amqp." + UUID.randomUUID().toString().substring(0, 8);
    private volatile Pacer pacer;
    private volatile boolean closing;
    private AmqpTarget target;
    private Connection pubConn;
    private Connection subConn;
    private volatile Channel pubCh;
    private volatile Channel subCh;
    private String queue;
    private AmqpAcks acks;
    private ScheduledExecutorService publisherThread;
    private ScheduledExecutorService ackTimer;
    private int subsOk;
    private int subsFailed;
    private boolean cleanedUp;

    AmqpLatency(Options opts, Conn.Env env, Result result) {
        super(opts, env, result);
        this.arrivals = new TimedArrivals(result);
        this.confirms = new AmqpConfirms(result.hist("confirm_us"));
    }

    @Override
    void setup() throws Exception {
        try {
            target = AmqpTarget.parse(opts.amqpUri);
            ConnectionFactory f = factory(target, opts);
            publisherThread = singleThread("amqp-publisher");
            ackTimer = singleThread("amqp-ack-linger");
            pubConn = f.newConnection("loadtool-amqp-publisher");
            subConn = f.newConnection("loadtool-amqp-consumer");
            Channel pub = pubConn.createChannel();
            pub.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
            Channel sub = subConn.createChannel();
            queue = sub.queueDeclare().getQueue(); // server-named, exclusive, auto-delete, non-durable
            sub.queueBind(queue, exchange, ROUTING_KEY);
            sub.basicQos(opts.amqpPrefetch, false);
            acks = new AmqpAcks(AmqpAcks.everyFor(opts.amqpPrefetch), tag -> sub.basicAck(tag, true), this::linger);
            sub.addShutdownListener(cause -> {
                if (holding && !closing) {
                    droppedWhileRunning.increment();
                    error("consumer channel closed: " + cause.getMessage());
                }
            });
            subCh = sub;
            sub.basicConsume(queue, false, new DefaultConsumer(sub) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) {
                    arrivals.arrived(Unpooled.wrappedBuffer(body), 0, body.length, windowStartNanos, windowEndNanos);
                    acks.delivered(envelope.getDeliveryTag());
                }

                @Override
                public void handleCancel(String consumerTag) {
                    error("consumer cancelled by RabbitMQ");
                }
            });
            pub.confirmSelect();
            pub.addConfirmListener((tag, multiple) -> confirms.settle(tag, multiple, true),
                    (tag, multiple) -> confirms.settle(tag, multiple, false));
            pub.addShutdownListener(cause -> {
                if (holding && !closing) {
                    error("publisher channel closed: " + cause.getMessage());
                }
            });
            pubCh = pub;
            subsOk = 1;
            holding = true;
            LoadTool.log("amqp: " + target + ", exchange " + exchange + ", queue " + queue + ", prefetch "
                    + opts.amqpPrefetch + ", ack every " + AmqpAcks.everyFor(opts.amqpPrefetch) + " or "
                    + opts.amqpAckLingerMs + " ms");
        } catch (Exception e) {
            subsFailed = 1;
            throw e;
        }
    }

    static ConnectionFactory factory(AmqpTarget t, Options opts) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(t.address().getHostAddress()); // an IP literal: no name lookup
        f.setPort(t.port());
        f.setUsername(t.username());
        f.setPassword(t.password());
        f.setVirtualHost(t.vhost());
        f.setConnectionTimeout((int) (opts.connectTimeout * 1000));
        f.setHandshakeTimeout((int) (opts.connectTimeout * 1000));
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        f.setSharedExecutor(new CallerRuns());
        return f;
    }

    private void linger(Runnable flush) {
        try {
            ackTimer.schedule(flush, opts.amqpAckLingerMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // closing: the queue goes with what it holds
        }
    }

    @Override
    void start(long startNanos) {
        openWindow(startNanos);
        confirms.window(windowStartNanos, windowEndNanos);
        Channel ch = pubCh;
        if (ch == null) {
            return;
        }
        long maxBurst = Math.max(1, (long) (opts.rate / 100)); // never more than 10 ms worth at once
        Pacer p = new Pacer(startNanos, opts.rate, maxBurst);
        pacer = p;
        Pacer.Send send = (seq, scheduled, last) -> {
            if (scheduled >= windowStartNanos && scheduled < windowEndNanos) {
                sentWindow.incrementAndGet();
            }
            byte[] body = Stomp.timestampedBody(scheduled, seq, opts.bodyBytes);
            try {
                // numbered before it goes: its confirm may come back before basicPublish returns
                confirms.published(ch.getNextPublishSeqNo(), scheduled);
                ch.basicPublish(exchange, ROUTING_KEY, false, PROPS, body);
            } catch (IOException | RuntimeException e) {
                error("publish: " + describe(e));
            }
        };
        p.runOn(publisherThread, send);
    }

    /** The schedule ends with the window; what it still owes from the window goes out in the drain. */
    @Override
    void stop() {
        Pacer p = pacer;
        if (p != null) {
            p.endAt(windowEndNanos);
        }
    }

    @Override
    void collect() {
        result.count("subscribers_ok", subsOk);
        result.count("subscribers_failed", subsFailed);
        result.count("sent_window", sentWindow.get());
        Pacer p = pacer;
        result.count("sent_total", p == null ? 0 : p.sent());
        arrivals.collect(result);
        result.count("dropped_while_running", droppedWhileRunning.sum());
        result.count("confirmed_total", confirms.acked());
        result.count("nacked_total", confirms.nacked());
        result.count("unconfirmed", confirms.unconfirmed());
        result.count("confirms_unmatched", confirms.unknown());
        result.count("acks_sent", acks == null ? 0 : acks.acksSent());
        result.count("ack_failures", acks == null ? 0 : acks.ackFailures());
        putErrors();
    }

    /** Stops publishing, deletes the exchange and the queue, closes both connections. */
    @Override
    void close() {
        holding = false;
        closing = true;
        Pacer p = pacer;
        if (p != null) {
            p.cancel();
        }
        shutdown(publisherThread);
        shutdown(ackTimer);
        boolean exchangeGone = delete(pubConn, pubCh, ch -> ch.exchangeDelete(exchange), "exchange " + exchange);
        // exclusive: only its own connection may delete it (and it goes with that connection anyway)
        boolean queueGone = queue == null || delete(subConn, subCh, ch -> ch.queueDelete(queue), "queue " + queue);
        cleanedUp = exchangeGone && queueGone;
        result.count("amqp_cleaned_up", cleanedUp ? 1 : 0);
        for (Connection c : new Connection[] {pubConn, subConn}) {
            if (c != null && c.isOpen()) {
                try {
                    c.close(5000);
                } catch (IOException | RuntimeException e) {
                    c.abort(2000);
                }
            }
        }
        super.close();
    }

    @FunctionalInterface
    private interface ChannelOp {
        void run(Channel ch) throws IOException;
    }

    private boolean delete(Connection conn, Channel ch, ChannelOp op, String what) {
        if (conn == null) {
            return true; // never connected: nothing declared
        }
        if (!conn.isOpen()) {
            error(what + " not deleted: its connection is closed (auto-delete removes it)");
            return false;
        }
        try {
            Channel c = ch != null && ch.isOpen() ? ch : conn.createChannel();
            op.run(c);
            return true;
        } catch (IOException | RuntimeException e) {
            error(what + " not deleted: " + describe(e));
            return false;
        }
    }

    private static void shutdown(ScheduledExecutorService e) {
        if (e == null) {
            return;
        }
        e.shutdownNow();
        try {
            e.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    private static ScheduledExecutorService singleThread(String name) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return e;
    }

    /** Runs the client's consumer callbacks on the connection's reader thread (as the gateway does). */
    static final class CallerRuns extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
