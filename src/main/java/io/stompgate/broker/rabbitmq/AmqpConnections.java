package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
