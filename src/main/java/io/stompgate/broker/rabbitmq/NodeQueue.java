package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.DefaultConsumer;
import io.stompgate.broker.BrokerStartException;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own queue and its bindings (docs/protocol.md §5.2, §5.3): to the
 * topic and user exchanges as its sessions need, and always to the cluster
 * exchange, for messages between nodes. The queue
 * belongs to the node but outlives its connection (durable, not exclusive, not
 * auto-delete, with {@code x-expires}), so a broker outage shorter than
 * {@code expires} loses nothing routed to the node: on reconnect the node resumes
 * the same queue and reconciles its bindings with what its sessions need now. An
 * exclusive consumer makes the queue the node's alone.
 *
 * <p>Two records: what the node's sessions need bound (the truth, bound again on
 * every reconnect) and what may still be bound at the broker although nobody needs
 * it (an unbind that never reached the broker), unbound on the next reconnect. Io
 * thread only.
 */
final class NodeQueue {

    private static final Logger log = LoggerFactory.getLogger(NodeQueue.class);

    private final RabbitBrokerOptions options;
    private final String name;
    private final Map<String, Object> arguments;
    private final Set<String> patterns = new HashSet<>();
    private final Set<String> users = new HashSet<>();
    private final Set<String> stalePatterns = new HashSet<>();
    private final Set<String> staleUsers = new HashSet<>();

    NodeQueue(RabbitBrokerOptions options) {
        this.options = options;
        this.name = options.nodeQueue();
        this.arguments = options.nodeQueueOptions().arguments();
    }

    String name() {
        return name;
    }

    int patternCount() {
        return patterns.size();
    }

    int userCount() {
        return users.size();
    }

    Set<String> patterns() {
        return Set.copyOf(patterns);
    }

    // ---------------------------------------------------------------- bindings

    void bindTopic(Channel channel, String pattern) throws IOException {
        channel.queueBind(name, options.topicExchange(), pattern);
        topicBound(pattern);
    }

    /**
     * Sends a topic bind without waiting for bind-ok; {@link #confirmSent} then confirms every bind sent
     * so far in one round trip, and the caller records each with {@link #topicBound}.
     */
    void sendTopicBind(Channel channel, String pattern) throws IOException {
        channel.queueBindNoWait(name, options.topicExchange(), pattern, null);
    }

    /**
     * One round trip after binds sent without waiting. RabbitMQ carries out a channel's methods in the
     * order they arrive, a bind before it answers the next method, so the answer to this passive declare
     * means every bind sent before it on {@code channel} is in place; a refused one has closed the
     * channel instead, and this throws.
     */
    void confirmSent(Channel channel) throws IOException {
        channel.queueDeclarePassive(name);
    }

    /** A topic binding the broker has confirmed. */
    void topicBound(String pattern) {
        patterns.add(pattern);
        stalePatterns.remove(pattern);
    }

    void unbindTopic(Channel channel, String pattern) throws IOException {
        patterns.remove(pattern);
        stalePatterns.add(pattern); // until the broker has confirmed the unbind
        channel.queueUnbind(name, options.topicExchange(), pattern);
        stalePatterns.remove(pattern);
    }

    void bindUser(Channel channel, String user) throws IOException {
        channel.queueBind(name, options.userExchange(), user);
        users.add(user);
        staleUsers.remove(user);
    }

    void unbindUser(Channel channel, String user) throws IOException {
        users.remove(user);
        staleUsers.add(user);
        channel.queueUnbind(name, options.userExchange(), user);
        staleUsers.remove(user);
    }

    /** A bind that expired may still have reached the broker before the connection dropped. */
    void bindTopicExpired(String pattern) {
        if (!patterns.contains(pattern)) {
            stalePatterns.add(pattern);
        }
    }

    /** An unbind that expired: the node no longer needs the binding, wherever the broker is. */
    void unbindTopicExpired(String pattern) {
        patterns.remove(pattern);
        stalePatterns.add(pattern);
    }

    void bindUserExpired(String user) {
        if (!users.contains(user)) {
            staleUsers.add(user);
        }
    }

    void unbindUserExpired(String user) {
        users.remove(user);
        staleUsers.add(user);
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * The first connection of this process. A queue of this name already there is either
     * another live process's (the same {@code gateway.node-id} twice: refused, naming the
     * property) or what an earlier process with this id left (its messages were for sessions
     * that are gone, its bindings for their subscriptions): then it is deleted and declared anew.
     */
    void takeOver(Connection connection, Channel topology) throws IOException, TimeoutException {
        if (exists(connection)) {
            Channel probe = connection.createChannel();
            try {
                String tag = probe.basicConsume(name, false, "", false, true, null, new DefaultConsumer(probe));
                probe.basicCancel(tag);
            }
            catch (IOException e) {
                if (AmqpErrors.channelReplyCode(e) == AmqpErrors.ACCESS_REFUSED) {
                    throw inUse(e);
                }
                throw e;
            }
            finally {
                closeQuietly(probe);
            }
            topology.queueDelete(name);
            log.info("node queue left by an earlier process deleted node={} queue={}", options.nodeId(), name);
        }
        try {
            topology.queueDeclare(name, true, false, false, arguments);
            topology.queueBind(name, options.clusterExchange(), "");
        }
        catch (IOException e) {
            if (AmqpErrors.channelReplyCode(e) == AmqpErrors.PRECONDITION_FAILED) {
                throw new BrokerStartException("node queue '" + name + "' exists with other arguments than "
                        + "gateway.rabbitmq.node-queue.* give (" + AmqpErrors.failureText(e) + "); another process "
                        + "declared it meanwhile: give every node its own gateway.node-id");
            }
            throw e;
        }
    }

    /**
     * After a reconnect: declares the queue (it is normally still there, with its bindings and what
     * was routed to it meanwhile), removes bindings released during the outage and binds what the
     * node's sessions need. A queue someone declared meanwhile with other arguments is replaced,
     * with a warning saying what differed. Returns the channel to use from now on.
     */
    Channel resume(Connection connection, Channel topology) throws IOException {
        Channel channel = topology;
        try {
            channel.queueDeclare(name, true, false, false, arguments);
        }
        catch (IOException e) {
            if (AmqpErrors.channelReplyCode(e) != AmqpErrors.PRECONDITION_FAILED) {
                throw e;
            }
            log.warn("node queue exists with other arguments than gateway.rabbitmq.node-queue.* give node={} "
                    + "queue={} ({}); replacing it", options.nodeId(), name, AmqpErrors.failureText(e));
            channel = connection.createChannel();
            channel.queueDelete(name);
            channel.queueDeclare(name, true, false, false, arguments);
        }
        channel.queueBind(name, options.clusterExchange(), "");
        for (String pattern : stalePatterns) {
            channel.queueUnbind(name, options.topicExchange(), pattern);
        }
        stalePatterns.clear();
        for (String user : staleUsers) {
            channel.queueUnbind(name, options.userExchange(), user);
        }
        staleUsers.clear();
        // Bound again without waiting for each bind-ok (thousands of patterns would take a round trip
        // each), then confirmed at once: a refused one closes the channel and the reconnect fails.
        for (String pattern : patterns) {
            channel.queueBindNoWait(name, options.topicExchange(), pattern, null);
        }
        for (String user : users) {
            channel.queueBindNoWait(name, options.userExchange(), user, null);
        }
        confirmSent(channel);
        return channel;
    }

    /**
     * Consumes the queue with an exclusive consumer: no other process can take the node's
     * messages. Refused at the first connection means another process owns it (the same
     * {@code gateway.node-id}); after a reconnect it is normally this node's own earlier
     * connection, which RabbitMQ has not yet found dead, and the caller retries.
     */
    void consume(Channel channel, Consumer consumer, boolean firstConnection) throws IOException {
        channel.basicQos(options.prefetch(), false);
        try {
            channel.basicConsume(name, false, "", false, true, null, consumer);
        }
        catch (IOException e) {
            if (firstConnection && AmqpErrors.channelReplyCode(e) == AmqpErrors.ACCESS_REFUSED) {
                throw inUse(e);
            }
            throw e;
        }
    }

    /**
     * Deletes the queue and with it every binding: the node's last act when it drains. Without a
     * channel (the broker is away), the queue is left to expire after {@code expires}.
     */
    void deleteOnStop(Channel channel) {
        if (channel == null) {
            log.info("node queue left to expire node={} queue={} expires={}", options.nodeId(), name,
                    options.nodeQueueOptions().expires());
            return;
        }
        try {
            channel.queueDelete(name);
            log.info("node queue deleted node={} queue={}", options.nodeId(), name);
        }
        catch (IOException | RuntimeException e) {
            log.warn("node queue not deleted node={} queue={}; it expires after {}: {}", options.nodeId(), name,
                    options.nodeQueueOptions().expires(), AmqpErrors.failureText(e));
        }
    }

    private boolean exists(Connection connection) throws IOException {
        Channel probe = connection.createChannel();
        try {
            probe.queueDeclarePassive(name);
            return true;
        }
        catch (IOException e) {
            if (AmqpErrors.channelReplyCode(e) == AmqpErrors.NOT_FOUND) {
                return false;
            }
            throw e;
        }
        finally {
            closeQuietly(probe);
        }
    }

    private BrokerStartException inUse(IOException e) {
        return new BrokerStartException("gateway.node-id '" + options.nodeId() + "' is in use: another process "
                + "consumes its queue '" + name + "' (" + AmqpErrors.failureText(e) + "); give every node its own "
                + "gateway.node-id");
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        }
        catch (IOException | TimeoutException | RuntimeException e) {
            log.debug("closing a probe channel: {}", e.toString());
        }
    }
}
