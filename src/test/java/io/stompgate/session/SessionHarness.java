package io.stompgate.session;

import io.stompgate.broker.MessageBroker;
import io.stompgate.stomp.HeartBeat;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompLimits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A node's session layer without a network: a {@link SessionRegistry} over a
 * broker (a {@link StubBroker} or the real local one), a {@link SessionContext}
 * whose timer is a {@link VirtualTimeScheduler} private to the test (never
 * installed globally), and {@link TestClient}s opened on it.
 */
final class SessionHarness {

    static final String NODE_ID = "node-test";

    /**
     * Trusts the handshake identity, else the CONNECT's {@code login}; otherwise
     * fails like a real authenticator, with a message for the ERROR frame.
     */
    static final ConnectAuthenticator TRUSTING = (handshake, headers) -> {
        if (handshake != null) {
            return Mono.just(handshake);
        }
        String login = headers.get(StompHeaders.LOGIN);
        return login != null
                ? Mono.just(Identity.of(login))
                : Mono.error(new ConnectAuthenticator.AuthenticationException("no identity: send a login header"));
    };

    final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    final MessageBroker broker;
    final SessionRegistry registry;
    final RecordingMetrics metrics = new RecordingMetrics();
    final SessionContext context;
    private final AtomicInteger sessionIds = new AtomicInteger();

    SessionHarness(MessageBroker broker, SessionOptions options, ConnectAuthenticator authenticator) {
        this(broker, options, authenticator, DestinationPolicy.ALLOW_ALL, Presence.NONE);
    }

    SessionHarness(MessageBroker broker, SessionOptions options, ConnectAuthenticator authenticator,
            DestinationPolicy policy, Presence presence) {
        this.broker = broker;
        this.registry = new SessionRegistry(broker, metrics);
        broker.start(registry).block(Duration.ofSeconds(5));
        this.context = new SessionContext(NODE_ID, options, registry, broker, authenticator, policy, metrics, timer,
                presence);
    }

    SessionHarness(MessageBroker broker, SessionOptions options) {
        this(broker, options, TRUSTING);
    }

    SessionHarness(MessageBroker broker) {
        this(broker, SessionOptions.DEFAULTS);
    }

    /** A new session whose handshake proved {@code alice}. */
    TestClient open() {
        return open(Identity.of("alice"));
    }

    /** A new session; {@code handshake} may be null (the CONNECT must then say who it is). */
    TestClient open(Identity handshake) {
        return new TestClient(this, new StompSession("s" + sessionIds.incrementAndGet(), handshake, context));
    }

    void advance(Duration duration) {
        timer.advanceTimeBy(duration);
    }

    void advanceMs(long ms) {
        advance(Duration.ofMillis(ms));
    }

    long nowMs() {
        return timer.now(TimeUnit.MILLISECONDS);
    }

    /** Session options differing from the defaults in a few fields. */
    static SessionOptions options(Consumer<OptionsBuilder> changes) {
        OptionsBuilder b = new OptionsBuilder();
        changes.accept(b);
        return b.build();
    }

    static final class OptionsBuilder {
        StompLimits limits = SessionOptions.DEFAULTS.limits();
        HeartBeat heartBeat = SessionOptions.DEFAULTS.heartBeat();
        long heartBeatFloorMs = SessionOptions.DEFAULTS.heartBeatFloorMs();
        int outboundFrames = SessionOptions.DEFAULTS.outboundFrames();
        int maxSubscriptions = SessionOptions.DEFAULTS.maxSubscriptions();
        int maxTransactions = SessionOptions.DEFAULTS.maxTransactions();
        int maxTransactionFrames = SessionOptions.DEFAULTS.maxTransactionFrames();
        int maxInflightSends = SessionOptions.DEFAULTS.maxInflightSends();
        int queuePrefetch = SessionOptions.DEFAULTS.queuePrefetch();
        Duration closeTimeout = SessionOptions.DEFAULTS.closeTimeout();
        Duration connectTimeout = SessionOptions.DEFAULTS.connectTimeout();
        long maxTransactionBytes = SessionOptions.DEFAULTS.maxTransactionBytes();
        String serverName = SessionOptions.DEFAULTS.serverName();

        SessionOptions build() {
            return new SessionOptions(limits, heartBeat, heartBeatFloorMs, outboundFrames, maxSubscriptions, maxTransactions,
                    maxTransactionFrames, maxTransactionBytes, maxInflightSends, queuePrefetch, closeTimeout,
                    connectTimeout, serverName);
        }
    }

    /** Counts what the sessions report, for assertions on error reasons and slow-consumer disconnects. */
    static final class RecordingMetrics implements SessionMetrics {
        final List<ErrorReason> errors = new CopyOnWriteArrayList<>();
        final AtomicInteger slowConsumerDisconnects = new AtomicInteger();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public void error(ErrorReason reason) {
            errors.add(reason);
        }

        @Override
        public void slowConsumerDisconnect() {
            slowConsumerDisconnects.incrementAndGet();
        }

        @Override
        public void sessionOpened() {
            opened.incrementAndGet();
        }

        @Override
        public void sessionClosed() {
            closed.incrementAndGet();
        }
    }
}
