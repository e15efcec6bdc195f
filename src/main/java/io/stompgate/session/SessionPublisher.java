package io.stompgate.session;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.ForwardedHeaders;
import io.stompgate.broker.Publication;
import io.stompgate.broker.UnroutableException;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import reactor.core.publisher.Mono;

/**
 * A session's SENDs on their way to the broker: each published at once, so that
 * publications leave in frame order, without waiting for the broker's confirm;
 * counted while unconfirmed, so the session can stop reading past
 * {@link SessionOptions#maxInflightSends()} and answer DISCONNECT only once all are
 * confirmed. A refused publication ends the session with an ERROR: never a silent drop.
 */
final class SessionPublisher {

    /** How the session is ended when the broker refuses one of its SENDs. */
    @FunctionalInterface
    interface Refusal {
        void refused(CloseReason reason, ErrorReason errorReason, String message);
    }

    private final SessionContext ctx;
    private final String sessionId;
    private final Refusal refusal;
    private final InflightOperations inflight = new InflightOperations();

    SessionPublisher(SessionContext ctx, String sessionId, Refusal refusal) {
        this.ctx = ctx;
        this.sessionId = sessionId;
        this.refusal = refusal;
    }

    /** Publishes {@code frame}'s message to {@code address} now; the outcome is the broker's confirm. */
    Mono<Void> publish(Address address, StompFrame frame, String principal) {
        BrokerMessage message = new BrokerMessage(ForwardedHeaders.of(frame.headers()), frame.body());
        inflight.begin();
        long started = System.nanoTime();
        Mono<Void> outcome = ctx.broker().publish(new Publication(address, message, principal, sessionId))
                .doOnSuccess(v -> ctx.metrics().publishConfirmed(System.nanoTime() - started))
                .doOnError(e -> refusal.refused(
                        e instanceof UnroutableException ? CloseReason.PROTOCOL_ERROR : CloseReason.BROKER_FAILURE,
                        e instanceof UnroutableException ? ErrorReason.DESTINATION : ErrorReason.BROKER,
                        "message to '" + frame.header(StompHeaders.DESTINATION) + "' was not accepted: "
                                + (e instanceof BrokerException && e.getMessage() != null ? e.getMessage()
                                        : "broker unavailable")))
                .doFinally(signal -> inflight.end())
                .cache();
        outcome.subscribe(null, e -> { });
        return outcome;
    }

    /** Completes once fewer SENDs than the session's limit await their confirm. */
    Mono<Void> whenBelowLimit() {
        return inflight.whenBelow(ctx.options().maxInflightSends());
    }

    /** Completes once no SEND awaits its confirm. */
    Mono<Void> whenIdle() {
        return inflight.whenIdle();
    }
}
