package io.stompgate.presence;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.NodeMessage;
import io.stompgate.broker.Publication;
import io.stompgate.broker.TopicMatcher;
import io.stompgate.logging.LogText;
import io.stompgate.session.Presence;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Presence across the gateway (docs/protocol.md §9), replicated over node
 * messages of kind {@value #KIND}. Each node counts its own sessions per
 * (topic key, user) and tells every node of each change at once (a delta) and
 * of its whole count every digest interval (a digest), with a time-to-live of
 * three intervals. A node merges its own counts with the last ones each other
 * node reported: a user is present on a key while any node reports a session
 * of it there; the sessions add up. A node not heard from for three intervals
 * is gone with its users. Watchers of a key hear a join when a user's first
 * session anywhere arrives and a leave when its last one goes.
 *
 * <p>Memory is bounded: at most {@code maxEntries} (key, user) pairs of this
 * node are tracked (a subscription beyond that is not counted, and logged),
 * at most as many are kept per other node, and at most {@value #MAX_NODES}
 * other nodes are kept. Everything is guarded by one lock, held briefly; the
 * watchers' listeners are called under it, so each watcher sees events in
 * order, and must not block.
 */
public final class ClusterPresence implements Presence {

    private static final Logger log = LoggerFactory.getLogger(ClusterPresence.class);

    /** The node message kind presence uses. */
    public static final String KIND = "presence";
    /** The most other nodes whose presence is kept. */
    static final int MAX_NODES = 256;
    /** After this many digest intervals without a digest, a node's users leave. */
    static final int MISSED_DIGESTS = 3;

    static final String HEADER = "x-presence";
    private static final StompHeaders SNAPSHOT = StompHeaders.of(HEADER, "snapshot",
            StompHeaders.CONTENT_TYPE, "application/json");
    private static final StompHeaders JOIN = StompHeaders.of(HEADER, "join", StompHeaders.CONTENT_TYPE, "application/json");
    private static final StompHeaders LEAVE = StompHeaders.of(HEADER, "leave", StompHeaders.CONTENT_TYPE, "application/json");

    private final List<String> patterns;
    private final MessageBroker broker;
    private final String nodeId;
    private final Duration interval;
    private final int maxEntries;
    private final LongSupplier nanoClock;
    private final long epoch = ThreadLocalRandom.current().nextLong();

    private final Object lock = new Object();
    /** This node: key -> user -> session id -> subscriptions of that session to the key. */
    private final Map<String, Map<String, Map<String, Integer>>> local = new HashMap<>();
    private int localEntries;
    private long seq;
    /** Other nodes, by node id: what each last reported. */
    private final Map<String, Remote> remotes = new HashMap<>();
    /** Every node together: key -> user -> sessions. */
    private final Map<String, Map<String, Integer>> merged = new HashMap<>();
    private final Map<String, List<Consumer<BrokerMessage>>> watchers = new HashMap<>();
    private volatile Disposable ticks;
    private volatile boolean overCapLogged;

    /**
     * Registers as the listener of presence node messages: call before the broker starts.
     *
     * @param patterns   topic patterns (keys without {@code /topic/}) whose subscribers are tracked
     * @param interval   how often this node sends its digest
     * @param maxEntries the most (key, user) pairs kept of this node, and of each other one
     */
    public ClusterPresence(List<String> patterns, MessageBroker broker, String nodeId, Duration interval, int maxEntries) {
        this(patterns, broker, nodeId, interval, maxEntries, System::nanoTime);
    }

    ClusterPresence(List<String> patterns, MessageBroker broker, String nodeId, Duration interval, int maxEntries,
            LongSupplier nanoClock) {
        this.patterns = List.copyOf(patterns);
        this.broker = broker;
        this.nodeId = nodeId;
        this.interval = interval;
        this.maxEntries = maxEntries;
        this.nanoClock = nanoClock;
        broker.onNodeMessages(KIND, this::onNodeMessage);
    }

    /** Sends a digest every interval and forgets nodes gone silent, on {@code timer}. */
    public void start(Scheduler timer) {
        if (patterns.isEmpty()) {
            return; // presence is off: no digests
        }
        ticks = Flux.interval(interval, interval, timer).subscribe(t -> tick(), e -> log.warn("presence ticks ended", e));
    }

    /** Stops the digests and tells the other nodes this node's users are gone. */
    public void stop() {
        Disposable d = ticks;
        if (d == null) {
            return;
        }
        d.dispose();
        long s;
        synchronized (lock) {
            s = ++seq;
        }
        publish(new PresenceUpdate(PresenceUpdate.Kind.BYE, epoch, s, Map.of()));
    }

    @Override
    public boolean tracks(String key) {
        for (String p : patterns) {
            if (TopicMatcher.matches(p, key)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void joined(String key, String user, String sessionId) {
        synchronized (lock) {
            Map<String, Map<String, Integer>> users = local.get(key);
            Map<String, Integer> sessions = users == null ? null : users.get(user);
            if (sessions == null) {
                if (localEntries >= maxEntries) {
                    if (!overCapLogged) {
                        overCapLogged = true;
                        log.warn("presence is tracking gateway.presence.max-entries={} (topic, user) pairs on node={};"
                                + " further ones are not counted", maxEntries, nodeId);
                    }
                    return;
                }
                localEntries++;
                sessions = new HashMap<>(2);
                local.computeIfAbsent(key, k -> new HashMap<>()).put(user, sessions);
            }
            int before = sessions.size();
            sessions.merge(sessionId, 1, Integer::sum);
            if (sessions.size() != before) {
                localChanged(key, user, before, sessions.size());
            }
        }
    }

    @Override
    public void left(String key, String user, String sessionId) {
        synchronized (lock) {
            Map<String, Map<String, Integer>> users = local.get(key);
            Map<String, Integer> sessions = users == null ? null : users.get(user);
            if (sessions == null || !sessions.containsKey(sessionId)) {
                return; // not counted (over the cap)
            }
            int before = sessions.size();
            sessions.computeIfPresent(sessionId, (s, n) -> n > 1 ? n - 1 : null);
            if (sessions.isEmpty()) {
                users.remove(user);
                localEntries--;
                if (users.isEmpty()) {
                    local.remove(key);
                }
            }
            if (sessions.size() != before) {
                localChanged(key, user, before, sessions.size());
            }
        }
    }

    @Override
    public Runnable watch(String key, Consumer<BrokerMessage> listener) {
        synchronized (lock) {
            watchers.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(listener);
            listener.accept(new BrokerMessage(SNAPSHOT, utf8(PresenceJson.snapshot(key, merged.getOrDefault(key, Map.of())))));
        }
        return () -> {
            synchronized (lock) {
                List<Consumer<BrokerMessage>> list = watchers.get(key);
                if (list != null && list.remove(listener) && list.isEmpty()) {
                    watchers.remove(key);
                }
            }
        };
    }

    /** The snapshot body of {@code key} (docs/protocol.md §9), as {@code GET /api/presence} answers it. */
    public String snapshot(String key) {
        synchronized (lock) {
            return PresenceJson.snapshot(key, merged.getOrDefault(key, Map.of()));
        }
    }

    /** Users present on {@code key} across the gateway, with their session counts. */
    public Map<String, Integer> users(String key) {
        synchronized (lock) {
            return Map.copyOf(merged.getOrDefault(key, Map.of()));
        }
    }

    // ---------------------------------------------------------------- this node

    /** Under the lock: this node's session count of (key, user) went from {@code before} to {@code after}. */
    private void localChanged(String key, String user, int before, int after) {
        apply(key, user, after - before);
        publish(PresenceUpdate.delta(epoch, ++seq, key, user, after));
    }

    /** Sends this node's digest and forgets the nodes gone silent; every digest interval. */
    void tick() {
        PresenceUpdate digest;
        synchronized (lock) {
            Map<String, Map<String, Integer>> entries = new HashMap<>(local.size() * 2);
            local.forEach((key, users) -> {
                Map<String, Integer> counts = new HashMap<>(users.size() * 2);
                users.forEach((user, sessions) -> counts.put(user, sessions.size()));
                entries.put(key, counts);
            });
            digest = new PresenceUpdate(PresenceUpdate.Kind.DIGEST, epoch, ++seq, entries);
            expireSilentNodes();
        }
        publish(digest);
    }

    private void publish(PresenceUpdate update) {
        long ttl = interval.toMillis() * MISSED_DIGESTS;
        broker.publish(new Publication(new Address.Nodes(KIND, ttl), new BrokerMessage(null, update.encode()), null, null))
                .subscribe(null, e -> log.debug("presence update not sent node={}: {}", nodeId, e.toString()));
    }

    // ---------------------------------------------------------------- other nodes

    void onNodeMessage(NodeMessage message) {
        if (nodeId.equals(message.fromNode())) {
            return; // this node's own counts are kept directly
        }
        PresenceUpdate update;
        try {
            update = PresenceUpdate.decode(message.body(), maxEntries);
        }
        catch (RuntimeException e) {
            log.warn("malformed presence message from node={}: {}", LogText.of(message.fromNode()), e.toString());
            return;
        }
        synchronized (lock) {
            Remote remote = remotes.get(message.fromNode());
            if (update.kind() == PresenceUpdate.Kind.BYE) {
                if (remote != null && remote.epoch == update.epoch()) {
                    forget(message.fromNode(), remote);
                }
                return;
            }
            if (remote == null || remote.epoch != update.epoch()) {
                if (remote != null) {
                    forget(message.fromNode(), remote); // the node restarted: what it said before is void
                }
                if (remotes.size() >= MAX_NODES) {
                    log.warn("presence keeps at most {} other nodes; ignoring node={}", MAX_NODES,
                            LogText.of(message.fromNode()));
                    return;
                }
                remote = new Remote(update.epoch(), nanoClock.getAsLong());
                remotes.put(message.fromNode(), remote);
            }
            else if (update.seq() <= remote.seq) {
                return; // older than what is applied; a later digest covers it
            }
            remote.seq = update.seq();
            if (update.kind() == PresenceUpdate.Kind.DIGEST) {
                remote.lastDigest = nanoClock.getAsLong();
                replace(remote, update.entries());
            }
            else {
                Remote target = remote;
                update.entries().forEach((key, users) -> users.forEach((user, n) -> set(target, key, user, n)));
            }
        }
    }

    /** Under the lock: {@code remote}'s whole view becomes {@code entries}. */
    private void replace(Remote remote, Map<String, Map<String, Integer>> entries) {
        List<String[]> gone = new ArrayList<>();
        remote.keys.forEach((key, users) -> users.keySet().forEach(user -> {
            Map<String, Integer> now = entries.get(key);
            if (now == null || !now.containsKey(user)) {
                gone.add(new String[] {key, user});
            }
        }));
        for (String[] g : gone) {
            set(remote, g[0], g[1], 0);
        }
        entries.forEach((key, users) -> users.forEach((user, n) -> set(remote, key, user, n)));
    }

    /** Under the lock: {@code remote} reports {@code sessions} of {@code user} on {@code key}. */
    private void set(Remote remote, String key, String user, int sessions) {
        Map<String, Integer> users = remote.keys.get(key);
        int before = users == null ? 0 : users.getOrDefault(user, 0);
        if (sessions == before) {
            return;
        }
        if (sessions == 0) {
            users.remove(user);
            remote.entries--;
            if (users.isEmpty()) {
                remote.keys.remove(key);
            }
        }
        else {
            if (before == 0) {
                if (remote.entries >= maxEntries) {
                    return;
                }
                remote.entries++;
            }
            remote.keys.computeIfAbsent(key, k -> new HashMap<>()).put(user, sessions);
        }
        apply(key, user, sessions - before);
    }

    private void expireSilentNodes() {
        long now = nanoClock.getAsLong();
        long limit = interval.toNanos() * MISSED_DIGESTS;
        List<String> silent = new ArrayList<>();
        remotes.forEach((node, remote) -> {
            if (now - remote.lastDigest > limit) {
                silent.add(node);
            }
        });
        for (String node : silent) {
            log.info("presence: no digest from node={} for {} intervals; its users leave", LogText.of(node),
                    MISSED_DIGESTS);
            forget(node, remotes.get(node));
        }
    }

    /** Under the lock: {@code node} and its users are gone. */
    private void forget(String node, Remote remote) {
        replace(remote, Map.of());
        remotes.remove(node);
    }

    // ---------------------------------------------------------------- the merged view

    /** Under the lock: {@code user}'s sessions on {@code key} across the gateway change by {@code delta}. */
    private void apply(String key, String user, int delta) {
        if (delta == 0) {
            return;
        }
        Map<String, Integer> users = merged.computeIfAbsent(key, k -> new HashMap<>());
        int before = users.getOrDefault(user, 0);
        int after = Math.max(0, before + delta);
        if (after == 0) {
            users.remove(user);
            if (users.isEmpty()) {
                merged.remove(key);
            }
        }
        else {
            users.put(user, after);
        }
        if (before == 0 && after > 0) {
            notifyWatchers(key, JOIN, user);
        }
        else if (before > 0 && after == 0) {
            notifyWatchers(key, LEAVE, user);
        }
    }

    private void notifyWatchers(String key, StompHeaders headers, String user) {
        List<Consumer<BrokerMessage>> list = watchers.get(key);
        if (list == null) {
            return;
        }
        BrokerMessage event = new BrokerMessage(headers, utf8(PresenceJson.event(key, user)));
        for (Consumer<BrokerMessage> listener : list) {
            listener.accept(event);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What one other node last reported. */
    private static final class Remote {
        final long epoch;
        long seq = Long.MIN_VALUE;
        long lastDigest;
        int entries;
        final Map<String, Map<String, Integer>> keys = new HashMap<>();

        Remote(long epoch, long heardAt) {
            this.epoch = epoch;
            this.lastDigest = heardAt;
        }
    }
}
