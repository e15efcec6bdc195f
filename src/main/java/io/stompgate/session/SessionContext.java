package io.stompgate.session;

import io.stompgate.broker.MessageBroker;
import java.util.Objects;
import reactor.core.scheduler.Scheduler;

/**
 * What every session of a node shares: its settings and collaborators. The
 * {@code timer} scheduler runs heart-beats and timeouts, so tests can drive them
 * in virtual time.
 */
public record SessionContext(
        String nodeId,
        SessionOptions options,
        SessionRegistry registry,
        MessageBroker broker,
        ConnectAuthenticator authenticator,
        DestinationPolicy policy,
        SessionMetrics metrics,
        Scheduler timer) {

    public SessionContext {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(timer, "timer");
    }
}
