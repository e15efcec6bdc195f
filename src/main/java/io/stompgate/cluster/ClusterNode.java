package io.stompgate.cluster;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.BrokerStatus;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.Publication;
import io.stompgate.session.CloseReason;
import io.stompgate.session.ErrorReason;
import io.stompgate.session.SessionRegistry;
import io.stompgate.session.StompSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * This node as a member of the cluster: announces itself every announce interval and at
 * once when its state changes (ready, draining), keeps the member table, and, when
 * rebalancing is on, runs the {@link Rebalancer} on the same single thread.
 *
 * <p>Its state: {@code draining} from the moment the session registry starts draining;
 * otherwise {@code ready} while {@code ready} says so (readiness up and the broker
 * connected), else {@code starting}.
 */
public final class ClusterNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
    /** How often the rebalancer looks at the table and closes what its rate allows by then. */
    static final Duration REBALANCE_TICK = Duration.ofMillis(100);
    /** How long stopping waits for its last announcement to be taken by the broker. */
    static final Duration LAST_WORD = Duration.ofSeconds(1);

    private final String nodeId;
    private final MessageBroker broker;
    private final SessionRegistry registry;
    private final Duration announceInterval;
    private final BooleanSupplier ready;
    private final Membership membership;
    private final Rebalancer rebalancer;
    private final ScheduledExecutorService thread;
    private final Disposable brokerStatus;
    private ScheduledFuture<?> announcing;
    private ScheduledFuture<?> rebalancing;
    private volatile MemberState announced;
    private volatile boolean running;

    /**
     * Registers for announcements with {@code broker}; call before the broker starts.
     *
     * @param rebalance the shedding settings, or {@code null} to never shed
     * @param ready     whether the node takes traffic now (readiness up, broker connected)
     */
    public ClusterNode(String nodeId, MessageBroker broker, SessionRegistry registry, Duration announceInterval,
            RebalanceSettings rebalance, BooleanSupplier ready) {
        if (announceInterval.isNegative() || announceInterval.isZero()) {
            throw new IllegalArgumentException("the announce interval must be positive");
        }
        this.nodeId = nodeId;
        this.broker = broker;
        this.registry = registry;
        this.announceInterval = announceInterval;
        this.ready = ready;
        this.membership = new Membership(nodeId, announceInterval, System::nanoTime);
        this.rebalancer = rebalance == null ? null
                : new Rebalancer(nodeId, rebalance, announceInterval.toNanos(), new RegistrySessions(registry));
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stomp-cluster-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        broker.onNodeMessages(Announcement.KIND, membership);
        registry.onDrainingChange(this::stateMayHaveChanged);
        this.brokerStatus = broker.status().filter(s -> s == BrokerStatus.UP).subscribe(s -> stateMayHaveChanged());
    }

    /** Starts announcing (and rebalancing, when on). Idempotent. */
    public synchronized void start() {
        if (announcing != null) {
            return;
        }
        running = true;
        long intervalMs = announceInterval.toMillis();
        announcing = thread.scheduleAtFixedRate(this::announceSafely, 0, intervalMs, TimeUnit.MILLISECONDS);
        if (rebalancer != null) {
            long tick = REBALANCE_TICK.toMillis();
            rebalancing = thread.scheduleAtFixedRate(this::rebalanceSafely, tick, tick, TimeUnit.MILLISECONDS);
        }
        log.info("cluster membership started node={} announce-interval={} rebalance={}", nodeId, announceInterval,
                rebalancer != null ? "on" : "off");
    }

    /**
     * Stops announcing and rebalancing after a last announcement of its state, waiting up to
     * {@link #LAST_WORD} for the broker to take it (called on a shutdown thread, never an event
     * loop), unless the broker is away; {@link #start} again resumes.
     */
    public void stop() {
        synchronized (this) {
            if (announcing == null) {
                return;
            }
            running = false;
            announcing.cancel(false);
            announcing = null;
            if (rebalancing != null) {
                rebalancing.cancel(false);
                rebalancing = null;
            }
        }
        if (!broker.isUp()) {
            return; // nobody to tell: the others notice in three intervals; waiting would only delay the shutdown
        }
        try {
            thread.submit(() -> announce().block(LAST_WORD)).get(LAST_WORD.toMillis() * 2, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                | java.util.concurrent.RejectedExecutionException e) {
            log.debug("last announcement not confirmed node={}: {}", nodeId, e.toString());
        }
    }

    /** Whatever changed (readiness, draining, the broker back), announces at once if the state did. */
    public void stateMayHaveChanged() {
        if (!running) {
            return;
        }
        try {
            thread.execute(() -> {
                if (running && state() != announced) {
                    announceSafely();
                }
            });
        }
        catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** The member table now, this node first. */
    public ClusterView view() {
        return membership.view(registry.sessionCount(), state());
    }

    public String nodeId() {
        return nodeId;
    }

    /** Sessions closed to rebalance since the node started; 0 when rebalancing is off. */
    public long rebalanceCloses() {
        return rebalancer == null ? 0 : rebalancer.closes();
    }

    /** Announcements dropped (malformed, or beyond the table's bound). */
    public long announcementsDropped() {
        return membership.dropped();
    }

    MemberState state() {
        if (registry.isDraining()) {
            return MemberState.DRAINING;
        }
        return ready.getAsBoolean() ? MemberState.READY : MemberState.STARTING;
    }

    private void announceSafely() {
        try {
            announce().subscribe(null, e -> log.debug("announcement not published node={}: {}", nodeId, e.toString()));
        }
        catch (RuntimeException e) {
            log.warn("announcement failed node={}: {}", nodeId, e.toString());
        }
    }

    /** Publishes this node's announcement now; on the cluster thread only, so announcements go out in order. */
    private Mono<Void> announce() {
        MemberState state = state();
        Announcement a = new Announcement(nodeId, registry.sessionCount(), state, System.currentTimeMillis());
        if (state != announced) {
            log.info("cluster announce node={} state={} sessions={}", nodeId, state.text(), a.sessions());
        }
        announced = state;
        // Kept for one interval by a node that is away: an older one would make a dead node look alive.
        Address to = new Address.Nodes(Announcement.KIND, announceInterval.toMillis());
        return broker.publish(new Publication(to, new BrokerMessage(null, a.toJson()), null, null));
    }

    private void rebalanceSafely() {
        try {
            rebalancer.tick(view(), System.nanoTime());
        }
        catch (RuntimeException e) {
            log.warn("rebalancing step failed node={}: {}", nodeId, e.toString());
        }
    }

    /** Stops for good: no more announcements. */
    @Override
    public void close() {
        running = false;
        brokerStatus.dispose();
        synchronized (this) {
            announcing = null;
            rebalancing = null;
        }
        thread.shutdownNow();
    }

    /** The registry's sessions, closed with {@code ERROR message: rebalancing}. */
    private record RegistrySessions(SessionRegistry registry) implements Rebalancer.Sessions {

        @Override
        public int count() {
            return registry.sessionCount();
        }

        @Override
        public int close(int n) {
            List<StompSession> picked = registry.anySessions(n);
            for (StompSession s : picked) {
                s.close(CloseReason.REBALANCE, ErrorReason.REBALANCE, "rebalancing");
            }
            return picked.size();
        }
    }
}
