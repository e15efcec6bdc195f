package io.stompgate.session;

import io.stompgate.broker.MessageBroker;
import java.util.Objects;
import reactor.core.scheduler.Scheduler;

/**
 * What every session of a node shares: its settings and collaborators. The
 * {@code timer} scheduler runs heart-beats and timeouts, so tests can drive them
 * in virtual time; {@code presence} hears of subscriptions to topics under
 * presence (docs/protocol.md §9).
 */
public record SessionContext(
        String nodeId,
        SessionOptions options,
        SessionRegistry registry,
        MessageBroker broker,
        ConnectAuthenticator authenticator,
        DestinationPolicy policy,
        SessionMetrics metrics,
        Scheduler timer,
        Presence presence) {

    /** A context without presence: no topic is tracked. */
    public SessionContext(String nodeId, SessionOptions options, SessionRegistry registry, MessageBroker broker,
            ConnectAuthenticator authenticator, DestinationPolicy policy, SessionMetrics metrics, Scheduler timer) {
        this(nodeId, options, registry, broker, authenticator, policy, metrics, timer, Presence.NONE);
    }

    public SessionContext {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(timer, "timer");
        Objects.requireNonNull(presence, "presence");
    }
}
