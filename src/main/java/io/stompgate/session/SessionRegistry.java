package io.stompgate.session;

import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.MessageBroker;
import io.stompgate.stomp.StompHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The node's sessions and what they subscribe to: the source of truth for what
 * the node needs from the broker. It counts subscribers per topic pattern and
 * sessions per user, so the broker is asked to bind a pattern (or a user) once,
 * with the first local subscriber, and to unbind it with the last; and it fans
 * each broker delivery out to the matching local subscriptions.
 *
 * <p>Counting and the bind or unbind calls it causes happen under one lock, so
 * the broker sees bind and unbind of one pattern in the order that leaves it
 * bound exactly while a subscriber exists. The broker calls themselves are
 * asynchronous; the lock is held only to issue them.
 */
public final class SessionRegistry implements DeliveryListener {

    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private final MessageBroker broker;
    private final SessionMetrics metrics;
    private final StompHeaders nodeHeaders;
    private final Object lock = new Object();
    /**
     * Orders live history deliveries against subscriptions that start reading the history:
     * taken before {@code lock} when both are needed, never the other way round.
     */
    private final Object historyLock = new Object();
    /** The offset of the last history message this node dispatched; -1 before the first. */
    private long historyPosition = -1;
    private final Set<StompSession> sessions = ConcurrentHashMap.newKeySet();
    private final TopicTrie<TopicEntry> topics = new TopicTrie<>();
    private final Map<String, UserEntry> users = new ConcurrentHashMap<>();
    private final List<Runnable> drainingListeners = new CopyOnWriteArrayList<>();
    private volatile boolean draining;

    public SessionRegistry(MessageBroker broker, SessionMetrics metrics) {
        this(broker, metrics, StompHeaders.EMPTY);
    }

    /**
     * @param nodeHeaders headers this node adds to every MESSAGE and CONNECTED it writes, such as
     *                    {@code x-node:<node id>}, so that clients can see which node served them
     */
    public SessionRegistry(MessageBroker broker, SessionMetrics metrics, StompHeaders nodeHeaders) {
        this.broker = broker;
        this.metrics = metrics;
        this.nodeHeaders = nodeHeaders;
    }

    StompHeaders nodeHeaders() {
        return nodeHeaders;
    }

    void register(StompSession session) {
        if (sessions.add(session)) {
            metrics.sessionOpened();
        }
    }

    void unregister(StompSession session) {
        if (sessions.remove(session)) {
            metrics.sessionClosed();
        }
    }

    /** From now on the node takes no new sessions: a CONNECT gets an ERROR "server shutting down". */
    public void startDraining() {
        setDraining(true);
    }

    /** Takes new sessions again (a node restarted in the same process). */
    public void stopDraining() {
        setDraining(false);
    }

    /**
     * Runs {@code listener} each time draining starts or stops, on the thread that changed it,
     * so that whoever tells other nodes about this one can do it at once. Must not block.
     */
    public void onDrainingChange(Runnable listener) {
        drainingListeners.add(listener);
    }

    private void setDraining(boolean value) {
        boolean changed = draining != value;
        draining = value;
        if (changed) {
            drainingListeners.forEach(Runnable::run);
        }
    }

    public boolean isDraining() {
        return draining;
    }

    /** Connected sessions on this node. */
    public int sessionCount() {
        return sessions.size();
    }

    public List<StompSession> sessions() {
        return List.copyOf(sessions);
    }

    /**
     * Up to {@code n} open sessions, whichever come first (no order is promised): the ones a
     * node closes when it hands sessions back to the cluster. Copies only what it returns.
     */
    public List<StompSession> anySessions(int n) {
        List<StompSession> picked = new ArrayList<>(Math.max(0, Math.min(n, sessions.size())));
        for (StompSession s : sessions) {
            if (picked.size() >= n) {
                break;
            }
            if (s.isOpen()) {
                picked.add(s);
            }
        }
        return picked;
    }

    /** Distinct topic patterns subscribed on this node (each one binding). */
    public int topicPatternCount() {
        synchronized (lock) {
            return topics.size();
        }
    }

    /** Distinct users connected to this node (each one binding). */
    public int userCount() {
        return users.size();
    }

    /** Subscriptions of every kind held by sessions on this node. */
    public int subscriptionCount() {
        int n = 0;
        for (StompSession s : sessions) {
            n += s.subscriptionCount();
        }
        return n;
    }

    /**
     * Adds a topic subscription that first reads the history: {@code replay} is made at the node's
     * live position, atomically with the subscription's registration, so that every later live
     * message reaches the replay (docs/protocol.md §7.3). Completes once the pattern is bound.
     */
    Mono<Void> subscribeTopicFrom(Subscription sub, String pattern, LongFunction<HistoryReplay> replay) {
        synchronized (historyLock) {
            sub.replay(replay.apply(historyPosition));
            return subscribeTopic(sub, pattern);
        }
    }

    /** Adds a topic subscription; completes once its pattern is bound at the broker. */
    Mono<Void> subscribeTopic(Subscription sub, String pattern) {
        Mono<Void> bound;
        synchronized (lock) {
            TopicEntry entry = topics.get(pattern);
            if (entry == null) {
                entry = new TopicEntry(pattern);
                topics.put(pattern, entry);
            }
            entry.subscribers.add(sub);
            if (entry.bound == null) {
                entry.bound = issue(broker.bindTopic(pattern));
            }
            bound = entry.bound;
        }
        return bound.onErrorResume(e -> {
            unsubscribeTopic(sub, pattern);
            return Mono.error(e);
        });
    }

    void unsubscribeTopic(Subscription sub, String pattern) {
        synchronized (lock) {
            TopicEntry entry = topics.get(pattern);
            if (entry == null || !entry.subscribers.remove(sub)) {
                return;
            }
            if (entry.subscribers.isEmpty()) {
                topics.remove(pattern);
                issue(broker.unbindTopic(pattern)).subscribe(null,
                        e -> log.warn("unbinding topic pattern failed: {}", e.toString()));
            }
        }
    }

    /** Counts {@code session} as one of its user's; completes once the user is bound at the broker. */
    Mono<Void> attachUser(StompSession session) {
        String user = session.principal();
        Mono<Void> bound;
        synchronized (lock) {
            UserEntry entry = users.computeIfAbsent(user, u -> new UserEntry());
            entry.sessions.add(session);
            if (entry.bound == null) {
                entry.bound = issue(broker.bindUser(user));
            }
            bound = entry.bound;
        }
        return bound.onErrorResume(e -> {
            detachUser(session);
            return Mono.error(e);
        });
    }

    void detachUser(StompSession session) {
        String user = session.principal();
        synchronized (lock) {
            UserEntry entry = users.get(user);
            if (entry == null || !entry.sessions.remove(session)) {
                return;
            }
            if (entry.sessions.isEmpty()) {
                users.remove(user);
                issue(broker.unbindUser(user)).subscribe(null,
                        e -> log.warn("unbinding user failed: {}", e.toString()));
            }
        }
    }

    /** Starts {@code operation} now, so broker calls happen in lock order; returns its cached outcome. */
    private static Mono<Void> issue(Mono<Void> operation) {
        Mono<Void> cached = operation.cache();
        cached.subscribe(null, e -> { });
        return cached;
    }

    @Override
    public void onTopicMessage(String key, BrokerMessage message) {
        List<TopicEntry> matched = topics.match(key);
        if (matched.isEmpty()) {
            return;
        }
        SharedMessage shared = new SharedMessage(Destinations.TOPIC + key, message, nodeHeaders);
        for (int i = 0; i < matched.size(); i++) {
            for (Subscription sub : matched.get(i).subscribers) {
                sub.session().deliver(sub, shared, null);
            }
        }
    }

    @Override
    public void onHistoryMessage(String key, long offset, BrokerMessage message) {
        synchronized (historyLock) {
            historyPosition = offset;
            List<TopicEntry> matched = topics.match(key);
            if (matched.isEmpty()) {
                return;
            }
            SharedMessage shared = new SharedMessage(Destinations.TOPIC + key, message, nodeHeaders, offset);
            for (int i = 0; i < matched.size(); i++) {
                for (Subscription sub : matched.get(i).subscribers) {
                    HistoryReplay replay = sub.replay();
                    if (replay == null || !replay.offerLive(offset, shared)) {
                        sub.session().deliver(sub, shared, null);
                    }
                }
            }
        }
    }

    @Override
    public void onUserMessage(String user, String queue, BrokerMessage message) {
        UserEntry entry = users.get(user);
        if (entry == null) {
            return;
        }
        SharedMessage shared = new SharedMessage(Destinations.userQueueDestination(queue), message, nodeHeaders);
        for (StompSession session : entry.sessions) {
            session.deliverToUserQueue(queue, shared);
        }
    }

    private static final class TopicEntry {
        final String pattern;
        final Set<Subscription> subscribers = ConcurrentHashMap.newKeySet();
        Mono<Void> bound;

        TopicEntry(String pattern) {
            this.pattern = pattern;
        }

        @Override
        public String toString() {
            return "TopicEntry[" + pattern + "]";
        }
    }

    private static final class UserEntry {
        /** Changed under the registry's lock; a user has few sessions per node, read far more often. */
        final Set<StompSession> sessions = new java.util.concurrent.CopyOnWriteArraySet<>();
        Mono<Void> bound;
    }
}
