package io.stompgate.ops;

import io.stompgate.session.CloseReason;
import io.stompgate.session.ErrorReason;
import io.stompgate.session.SessionRegistry;
import io.stompgate.session.StompSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Shutting a node down without a reconnect stampede (SIGTERM, a Kubernetes
 * scale-down): readiness goes down first, so the load balancer stops sending
 * clients; new handshakes get 503 and new CONNECTs an ERROR; then the open
 * sessions are closed with ERROR "server shutting down" evenly over
 * {@code gateway.drain.period}, so their clients reconnect to the other nodes a
 * few at a time. Only then does the web server stop, and after it the broker
 * connection (taking the node queue and its bindings with it).
 *
 * <p>Runs in the lifecycle phase before the web server's graceful shutdown, and
 * blocks the shutdown thread (never an event loop) for the drain.
 */
public final class GracefulDrain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GracefulDrain.class);
    /** Stops before the web server's graceful shutdown (DEFAULT_PHASE - 1024). */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;
    private static final Duration LAST_FLUSH = Duration.ofSeconds(2);

    private final SessionRegistry registry;
    private final ApplicationEventPublisher events;
    private final Duration period;
    private final String nodeId;
    private volatile boolean running;

    public GracefulDrain(SessionRegistry registry, ApplicationEventPublisher events, Duration period, String nodeId) {
        this.registry = registry;
        this.events = events;
        this.period = period;
        this.nodeId = nodeId;
    }

    /** (Re)starts taking sessions: a paused and restarted context is no longer draining. */
    @Override
    public void start() {
        registry.stopDraining();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        registry.startDraining();
        List<StompSession> sessions = registry.sessions();
        log.info("draining node={} sessions={} period={}", nodeId, sessions.size(), period);
        long start = System.nanoTime();
        int n = sessions.size();
        for (int i = 0; i < n; i++) {
            // Session i closes at i/n of the period: evenly spread, the first at once.
            long due = start + period.toNanos() * i / Math.max(1, n);
            sleepUntil(due);
            sessions.get(i).close(CloseReason.SHUTDOWN, ErrorReason.SHUTDOWN, "server shutting down");
        }
        long deadline = System.nanoTime() + LAST_FLUSH.toNanos();
        while (registry.sessionCount() > 0 && System.nanoTime() < deadline) {
            sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
        }
        log.info("drained node={} in {} ms, sessions left={}", nodeId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), registry.sessionCount());
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
