package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * How the node's AMQP connection and its two threads are made. The client's own
 * automatic recovery is off: recovery follows the node's record of what it needs
 * ({@link RabbitBroker}); consumer callbacks run on the connection's reader thread
 * ({@link CallerRunsExecutor}).
 */
final class AmqpConnections {

    private AmqpConnections() {
    }

    /** A connection factory for {@code options}, with the broker's heart-beat and timeouts. */
    static ConnectionFactory factory(RabbitBrokerOptions options) {
        ConnectionFactory factory = new ConnectionFactory();
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
                factory.useSslProtocol(SSLContext.getDefault());
                factory.enableHostnameVerification();
            }
            catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("TLS to RabbitMQ is not available in this JVM", e);
            }
        }
        return factory;
    }

    /**
     * The thread that fails operations at their deadline, {@code operationTimeout} after they were
     * queued. Nearly every operation is answered long before that and its deadline cancelled, so
     * this thread should sleep through them: but a scheduled executor wakes its thread whenever a
     * new task becomes the earliest, which, with nothing else pending, every new deadline does — a
     * wake-up per publish, as costly as the publish itself on a small machine. A no-op repeating
     * more often than {@code operationTimeout} always comes earlier than any new deadline, so new
     * deadlines queue behind it silently and the thread wakes about once a second instead.
     */
    static ScheduledExecutorService deadlineThread(String threadName, Duration operationTimeout) {
        ScheduledExecutorService executor = singleThread(threadName);
        long tickMillis = Math.max(1, Math.min(1000, operationTimeout.toMillis() / 2));
        executor.scheduleAtFixedRate(() -> { }, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        return executor;
    }

    /** A daemon thread running tasks one at a time, delayed ones included; cancelled tasks are removed. */
    static ScheduledExecutorService singleThread(String threadName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

}
