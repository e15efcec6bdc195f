package io.stompgate.config;

import io.stompgate.broker.BrokerStartException;
import io.stompgate.broker.MessageBroker;
import io.stompgate.session.SessionRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the broker before the web server takes connections and stops it when
 * the context is destroyed, after the web server and the drain have stopped, so
 * no session runs without a broker. A lifecycle stop alone (a paused context)
 * keeps the broker connected.
 */
public final class BrokerLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BrokerLifecycle.class);
    /** Before the web server starts (its phase is DEFAULT_PHASE - 2048) and after it stops. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
    private static final Duration START_WAIT = Duration.ofSeconds(15);

    private final MessageBroker broker;
    private final SessionRegistry registry;
    private final String nodeId;
    private volatile boolean running;
    private volatile boolean started;

    public BrokerLifecycle(MessageBroker broker, SessionRegistry registry, String nodeId) {
        this.broker = broker;
        this.registry = registry;
        this.nodeId = nodeId;
    }

    /**
     * Waits a while for the broker, then lets the node start anyway: it reports
     * not-ready and connects by itself once the broker is reachable. A broker that
     * refuses the node for good ({@link BrokerStartException}: another process has
     * its node id) stops the start-up with the broker's reason.
     */
    @Override
    public void start() {
        if (started) {
            running = true;
            return;
        }
        started = true;
        try {
            broker.start(registry).block(START_WAIT);
            log.info("broker started node={} broker={}", nodeId, broker.getClass().getSimpleName());
        }
        catch (BrokerStartException e) {
            throw new IllegalStateException("the node cannot start: " + e.getMessage(), e);
        }
        catch (IllegalStateException e) {
            log.warn("broker not reachable yet node={}; starting not ready, connecting in the background", nodeId);
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    /** Disconnects for good: the node deletes its queue, and with it its bindings, as it goes. */
    public void destroy() {
        broker.stop().block(Duration.ofSeconds(30));
        log.info("broker stopped node={}", nodeId);
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
