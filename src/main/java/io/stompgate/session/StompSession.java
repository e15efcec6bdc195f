package io.stompgate.session;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.HistoryStart;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueDelivery;
import io.stompgate.logging.LogText;
import io.stompgate.stomp.FrameRules;
import io.stompgate.stomp.HeartBeat;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One client connection speaking STOMP: the protocol state machine from CONNECT
 * to close, its subscriptions, transactions and heart-beats, and its bounded
 * outbound queue. Transport-neutral: it reads byte chunks and yields
 * {@link OutboundItem}s, so it runs the same over any WebSocket server and in
 * tests without one; and broker-neutral: it only sees {@code MessageBroker}.
 *
 * <p>Inbound frames are handled one at a time, in order. A frame's handler
 * completes when its effect is in place (a SUBSCRIBE once its binding is made),
 * which is when its RECEIPT goes out and the next frame is read. SENDs are the
 * exception: they are published in order without waiting for the broker's
 * confirmation, which later triggers their RECEIPT, up to
 * {@link SessionOptions#maxInflightSends()} at a time.
 *
 * <p>Any protocol violation ends the session with one ERROR frame whose
 * {@code message} says what was wrong. Closing is idempotent and releases
 * everything the session holds on this node and at the broker.
 */
public final class StompSession {

    private static final Logger log = LoggerFactory.getLogger(StompSession.class);

    private enum State { AWAITING_CONNECT, CONNECTING, CONNECTED, CLOSED }

    private final String id;
    private final Identity handshakeIdentity;
    private final SessionContext ctx;
    private final SessionOptions options;
    private final FrameReader reader;
    private final SessionTimers timers;
    private final SessionOutput output;
    private final SessionSubscriptions subscriptions;
    private final SessionTransactions transactions;
    private final SessionPublisher publisher;
    private final AtomicReference<State> state = new AtomicReference<>(State.AWAITING_CONNECT);
    private final Sinks.Empty<Void> closed = Sinks.empty();

    private volatile StompVersion version;
    private volatile Identity identity;
    private volatile CloseReason closeReason;
    private volatile Runnable forceClose = () -> { };
    private volatile Runnable onClosing = () -> { };

    public StompSession(String id, Identity handshakeIdentity, SessionContext ctx) {
        this.id = id;
        this.handshakeIdentity = handshakeIdentity;
        this.ctx = ctx;
        this.options = ctx.options();
        this.reader = new FrameReader(options.limits(), new FrameReader.Handler() {
            @Override
            public Mono<Void> handle(StompFrame frame) {
                return StompSession.this.handle(frame);
            }

            @Override
            public void failed(Throwable error, String receipt) {
                StompSession.this.failed(error, receipt);
            }

            @Override
            public boolean isClosed() {
                return state.get() == State.CLOSED;
            }

            @Override
            public StompVersion escaping() {
                return version;
            }
        });
        this.transactions = new SessionTransactions(options);
        this.subscriptions = new SessionSubscriptions(id);
        this.publisher = new SessionPublisher(ctx, id, (reason, errorReason, message) ->
                close(reason, errorReason, message, false));
        this.timers = new SessionTimers(ctx.timer(), new SessionTimers.Actions() {
            @Override
            public boolean isConnected() {
                return state.get() == State.CONNECTED;
            }

            @Override
            public void sendHeartBeat() {
                enqueue(OutboundItem.HEART_BEAT);
            }

            @Override
            public void clientSilent(long allowanceMs) {
                close(CloseReason.HEARTBEAT_TIMEOUT, ErrorReason.HEARTBEAT_TIMEOUT,
                        "no frame or heart-beat from the client for " + allowanceMs + " ms", true);
            }
        });
        this.output = new SessionOutput(options.outboundFrames(), ctx.metrics(), timers,
                () -> close(CloseReason.SLOW_CONSUMER, ErrorReason.SLOW_CONSUMER, "slow consumer", true));
    }

    public String id() {
        return id;
    }

    /** The principal, once CONNECT has settled it; {@code null} before. */
    public String principal() {
        Identity i = identity;
        return i == null ? null : i.name();
    }

    public Identity identity() {
        return identity;
    }

    /** The negotiated version, {@code null} before CONNECTED. */
    public StompVersion version() {
        return version;
    }

    public boolean isOpen() {
        return state.get() != State.CLOSED;
    }

    public CloseReason closeReason() {
        return closeReason;
    }

    /** Completes when the session has closed. */
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    int subscriptionCount() {
        return subscriptions.size();
    }

    /**
     * The frames to write, in order; completes after the last one of a closing
     * session. Whoever writes them calls nothing back: taking an item from this
     * flux counts as writing it.
     */
    public Flux<OutboundItem> outbound() {
        return output.items();
    }

    /**
     * Makes the outbound queue hand frames to its writer on {@code executor} (the
     * connection's event loop), so that the writer can write to the socket directly.
     * Call before subscribing to {@link #outbound()}.
     */
    public void drainOutboundOn(Executor executor) {
        output.drainOn(executor);
    }

    /**
     * What the transport does when the session starts closing: its last frames (an
     * ERROR, a RECEIPT) should be written even to a client that has not been reading.
     */
    public void onClosing(Runnable action) {
        this.onClosing = action;
    }

    /** How the transport closes the connection at once, when a closing session cannot flush in time. */
    public void onForceClose(Runnable action) {
        this.forceClose = action;
    }

    /**
     * Reads the client's byte stream, given as a flux of chunks: decodes frames and
     * handles each in turn. Completes when the stream ends; then the session is closed
     * (as {@link CloseReason#TRANSPORT_CLOSED} if nothing else closed it first). For
     * transports that speak Reactive Streams; see {@link #startReading} for the rest.
     */
    public Mono<Void> receive(Flux<byte[]> chunks) {
        return Mono.create(sink -> {
            Runnable ended = () -> {
                transportClosed();
                sink.success();
            };
            chunks.subscribe(this::onBytes, error -> ended.run(), ended,
                    subscription -> startReading(() -> subscription.request(1)));
        });
    }

    /**
     * Starts the input side. The transport then hands over one chunk of the client's
     * bytes ({@link #onBytes}) each time {@code requestMore} runs, and calls
     * {@link #transportClosed} when the connection ends.
     *
     * <p>A protocol error never stops the reading: cancelling a WebSocket's inbound
     * side closes the connection at once, before the ERROR frame is written. The
     * session closes, and drops what still arrives until the transport ends it once
     * the outbound side has flushed.
     */
    public void startReading(Runnable requestMore) {
        timers.awaitConnect(options.connectTimeout(), () -> {
            if (state.get() == State.AWAITING_CONNECT) {
                close(CloseReason.PROTOCOL_ERROR, ErrorReason.NOT_CONNECTED,
                        "no CONNECT frame within " + options.connectTimeout().toMillis() + " ms", false);
            }
        });
        reader.start(requestMore);
    }

    /** One chunk of the client's bytes, as asked for. */
    public void onBytes(byte[] chunk) {
        timers.markRead();
        reader.onBytes(chunk);
    }

    /** The connection is gone: release everything without writing more. */
    public void transportClosed() {
        close(CloseReason.TRANSPORT_CLOSED, null, null, false);
    }

    /**
     * Ends the session: an ERROR with {@code errorMessage} (when not null) is its last
     * frame, after what is queued, then the connection closes. For the node's own
     * reasons (shutdown, token expiry).
     */
    public void close(CloseReason reason, ErrorReason errorReason, String errorMessage) {
        close(reason, errorReason, errorMessage, false);
    }

    /**
     * Ends the session after the transport itself refused the client's input and
     * has already told it so (a WebSocket frame too large to read, a text message that
     * is not UTF-8): counted and logged like
     * any ERROR, but nothing more is written.
     */
    public void abort(ErrorReason reason, String message) {
        ctx.metrics().error(reason);
        log.info("session refused input session={} principal={} node={} error=\"{}\"", id, LogText.of(principal()),
                ctx.nodeId(), message);
        close(CloseReason.PROTOCOL_ERROR, null, null, true);
    }

    // ---------------------------------------------------------------- frame handling

    private Mono<Void> handle(StompFrame frame) {
        ctx.metrics().frameReceived(frame.command());
        State current = state.get();
        if (current == State.CLOSED) {
            return Mono.empty();
        }
        StompCommand command = frame.command();
        boolean connectFrame = command == StompCommand.CONNECT || command == StompCommand.STOMP;
        if (current == State.AWAITING_CONNECT && !connectFrame && command.isClientCommand()) {
            throw new StompProtocolException(ErrorReason.NOT_CONNECTED,
                    command + " frame before CONNECT; the first frame must be CONNECT or STOMP");
        }
        StompVersion rules = version != null ? version : StompVersion.V1_2;
        String violation = FrameRules.violation(frame, rules);
        if (violation != null) {
            ErrorReason reason = violation.contains("missing") || violation.contains("needs")
                    ? ErrorReason.MISSING_HEADER : ErrorReason.PROTOCOL;
            throw new StompProtocolException(reason, violation);
        }
        String receipt = frame.header(StompHeaders.RECEIPT);
        return switch (command) {
            case CONNECT, STOMP -> withReceipt(onConnect(frame), receipt);
            case SEND -> onSend(frame, receipt);
            case SUBSCRIBE -> onSubscribe(frame, receipt);
            case UNSUBSCRIBE -> withReceipt(onUnsubscribe(frame), receipt);
            case ACK, NACK -> withReceipt(onAck(frame), receipt);
            case BEGIN -> withReceipt(onBegin(frame), receipt);
            case COMMIT -> withReceipt(onCommit(frame), receipt);
            case ABORT -> withReceipt(onAbort(frame), receipt);
            case DISCONNECT -> onDisconnect(receipt);
            default -> throw new StompProtocolException(ErrorReason.PROTOCOL, command + " is a server frame");
        };
    }

    private Mono<Void> withReceipt(Mono<Void> effect, String receipt) {
        return receipt == null ? effect : effect.then(Mono.fromRunnable(() -> send(StompFrame.receipt(receipt))));
    }

    private Mono<Void> onConnect(StompFrame frame) {
        if (!state.compareAndSet(State.AWAITING_CONNECT, State.CONNECTING)) {
            throw new StompProtocolException(ErrorReason.PROTOCOL, "already connected; CONNECT may be sent once");
        }
        if (ctx.registry().isDraining()) {
            throw new StompProtocolException(ErrorReason.SHUTDOWN, "server shutting down");
        }
        StompVersion negotiated = StompVersion.negotiate(frame.header(StompHeaders.ACCEPT_VERSION))
                .orElseThrow(() -> new StompProtocolException(ErrorReason.UNSUPPORTED_VERSION,
                        "Supported protocol versions are " + StompVersion.supportedList()));
        HeartBeat clientHeartBeat = HeartBeat.parse(frame.header(StompHeaders.HEART_BEAT));
        if (clientHeartBeat == null) {
            throw new StompProtocolException(ErrorReason.PROTOCOL,
                    "malformed heart-beat header; expected two non-negative integers such as 10000,10000");
        }
        return ctx.authenticator().authenticate(handshakeIdentity, frame.headers())
                .switchIfEmpty(Mono.error(() -> new ConnectAuthenticator.AuthenticationException("no identity")))
                .onErrorMap(ConnectAuthenticator.AuthenticationException.class,
                        e -> new StompProtocolException(ErrorReason.AUTHENTICATION, e.getMessage()))
                .flatMap(who -> {
                    identity = who;
                    Mono<Void> attached = ctx.registry().attachUser(this);
                    if (state.get() == State.CLOSED) {
                        ctx.registry().detachUser(this);
                    }
                    return attached.onErrorMap(BrokerException.class, e -> new StompProtocolException(
                            ErrorReason.BROKER, "could not connect: " + e.getMessage()));
                })
                .then(Mono.fromRunnable(() -> connected(negotiated, clientHeartBeat)));
    }

    private void connected(StompVersion negotiated, HeartBeat clientHeartBeat) {
        if (!state.compareAndSet(State.CONNECTING, State.CONNECTED)) {
            ctx.registry().detachUser(this);
            return;
        }
        version = negotiated;
        timers.connected();
        ctx.registry().register(this);
        HeartBeat offer = options.heartBeatOfferFor(clientHeartBeat);
        StompHeaders.Builder headers = StompHeaders.builder()
                .add(StompHeaders.VERSION, negotiated.header())
                .add(StompHeaders.HEART_BEAT, offer.headerValue())
                .add(StompHeaders.SESSION, id)
                .add(StompHeaders.SERVER, options.serverName())
                .add(StompHeaders.USER_NAME, identity.name())
                .addAll(ctx.registry().nodeHeaders());
        send(StompFrame.of(StompCommand.CONNECTED, headers.build()));
        timers.startHeartBeats(HeartBeat.negotiateForServer(clientHeartBeat, offer));
        Instant expiresAt = identity.expiresAt();
        if (expiresAt != null) {
            timers.expireAt(expiresAt, this::expired);
        }
        log.info("session connected session={} principal={} node={} version={}",
                id, LogText.of(identity.name()), ctx.nodeId(), negotiated.header());
        if (state.get() == State.CLOSED) {
            release();
        }
    }

    private void expired() {
        close(CloseReason.TOKEN_EXPIRED, ErrorReason.TOKEN_EXPIRED, "token expired");
    }

    private Mono<Void> onSend(StompFrame frame, String receipt) {
        String destination = frame.header(StompHeaders.DESTINATION);
        if (Destinations.SESSION_TOKEN.equals(destination)) {
            return withReceipt(onTokenRefresh(frame), receipt);
        }
        Address address = Destinations.forSend(destination, ctx.broker().maxQueueNameBytes());
        if (!ctx.policy().maySend(identity, destination, address)) {
            throw new StompProtocolException(ErrorReason.FORBIDDEN, "not allowed to send to '" + destination + "'");
        }
        String tx = frame.header(StompHeaders.TRANSACTION);
        if (tx != null) {
            transactions.buffer(tx, frame);
            return receipt == null ? Mono.empty() : Mono.fromRunnable(() -> send(StompFrame.receipt(receipt)));
        }
        publisher.publish(address, frame, identity.name()).subscribe(null, e -> { /* closed with an ERROR */ }, () -> {
            if (receipt != null) {
                send(StompFrame.receipt(receipt));
            }
        });
        return publisher.whenBelowLimit();
    }

    /**
     * A fresh token for this session (docs/protocol.md §11): handled at once, also inside
     * a transaction, and never published, logged or echoed. A valid one for the same
     * principal becomes the session's identity, so its expiry (and its authorities, for
     * what the session does next) are the new token's; anything else ends the session.
     */
    private Mono<Void> onTokenRefresh(StompFrame frame) {
        String principal = identity.name();
        return ctx.authenticator().refresh(frame.headers(), frame.body())
                .switchIfEmpty(Mono.error(() -> new ConnectAuthenticator.AuthenticationException("no identity")))
                .onErrorMap(ConnectAuthenticator.AuthenticationException.class, e -> new StompProtocolException(
                        ErrorReason.AUTHENTICATION, "token refresh refused: " + e.getMessage()))
                .doOnNext(fresh -> {
                    if (!fresh.name().equals(principal)) {
                        throw new StompProtocolException(ErrorReason.AUTHENTICATION,
                                "token refresh refused: the token is for another principal; a session's principal "
                                        + "cannot change");
                    }
                    if (state.get() != State.CONNECTED) {
                        return;
                    }
                    identity = fresh;
                    timers.expireAt(fresh.expiresAt(), this::expired);
                    log.info("session token refreshed session={} principal={} node={} expires={}", id,
                            LogText.of(principal), ctx.nodeId(), fresh.expiresAt() == null ? "never" : fresh.expiresAt());
                })
                .then();
    }

    private Mono<Void> onSubscribe(StompFrame frame, String receipt) {
        String destination = frame.header(StompHeaders.DESTINATION);
        String subscriptionId = frame.header(StompHeaders.ID);
        if (subscriptionId == null) {
            subscriptionId = destination; // STOMP 1.0: the id is optional
        }
        if (subscriptions.contains(subscriptionId)) {
            throw new StompProtocolException(ErrorReason.PROTOCOL,
                    "subscription id '" + subscriptionId + "' is already in use in this session");
        }
        if (subscriptions.size() >= options.maxSubscriptions()) {
            throw new StompProtocolException(ErrorReason.LIMIT,
                    "too many subscriptions: a session may hold " + options.maxSubscriptions());
        }
        AckMode ackMode = AckMode.parse(frame.header(StompHeaders.ACK));
        if (ackMode == null) {
            throw new StompProtocolException(ErrorReason.PROTOCOL, "unknown ack mode '" + frame.header(StompHeaders.ACK)
                    + "'; use auto, client or client-individual");
        }
        if (Destinations.isPresence(destination)) {
            return withReceipt(watchPresence(subscriptionId, destination, ackMode), receipt);
        }
        Address address = Destinations.forSubscribe(destination, identity.name(), ctx.broker().maxQueueNameBytes());
        if (!ctx.policy().maySubscribe(identity, destination, address)) {
            throw new StompProtocolException(ErrorReason.FORBIDDEN, "not allowed to subscribe to '" + destination + "'");
        }
        HistoryStart historyStart = HistoryReplays.startOf(ctx.broker().history(), frame, destination, address);
        int prefetch = SessionSubscriptions.prefetch(frame.header(SessionSubscriptions.PREFETCH_COUNT),
                options.queuePrefetch(), options.outboundFrames());
        Subscription sub = new Subscription(this, subscriptionId, destination, address, ackMode);
        subscriptions.add(sub);
        if (address instanceof Address.Topic topic && Destinations.isConcrete(topic.key())
                && ctx.presence().tracks(topic.key())) {
            String key = topic.key();
            String user = identity.name();
            ctx.presence().joined(key, user, id);
            sub.presence(() -> ctx.presence().left(key, user, id));
        }
        Mono<Void> effect;
        if (address instanceof Address.Topic topic && historyStart != null) {
            return readingHistory(sub, topic.key(), historyStart, receipt);
        }
        if (address instanceof Address.Topic topic) {
            effect = ctx.registry().subscribeTopic(sub, topic.key());
        }
        else if (address instanceof Address.User) {
            effect = Mono.empty();
        }
        else {
            String queue = ((Address.Queue) address).name();
            effect = ctx.broker().consumeQueue(queue, prefetch, delivery -> deliverFromQueue(sub, delivery))
                    .flatMap(consumer -> sub.attach(consumer) ? Mono.<Void>empty() : consumer.cancel());
        }
        return withReceipt(settled(sub, effect), receipt);
    }

    /**
     * A SUBSCRIBE to {@code /presence/<key>}: allowed as one to {@code /topic/<key>} would be, for
     * a key under presence; the snapshot is queued before the RECEIPT, then joins and leaves.
     */
    private Mono<Void> watchPresence(String subscriptionId, String destination, AckMode ackMode) {
        String key = Destinations.presenceKey(destination);
        String topic = Destinations.TOPIC + key;
        Address.Topic address = new Address.Topic(key);
        if (!ctx.presence().tracks(key)) {
            throw new StompProtocolException(ErrorReason.DESTINATION, "'" + Destinations.abbreviate(topic)
                    + "' is not under presence (gateway.presence.destinations)");
        }
        if (!ctx.policy().maySubscribe(identity, topic, address)) {
            throw new StompProtocolException(ErrorReason.FORBIDDEN, "not allowed to subscribe to '"
                    + Destinations.abbreviate(destination) + "'");
        }
        Subscription sub = new Subscription(this, subscriptionId, destination, address, ackMode);
        subscriptions.add(sub);
        StompHeaders nodeHeaders = ctx.registry().nodeHeaders();
        sub.presence(ctx.presence().watch(key, message ->
                deliver(sub, new SharedMessage(destination, message, nodeHeaders), null)));
        return settled(sub, Mono.empty());
    }

    /**
     * What a SUBSCRIBE's effect becomes: released if the session closed meanwhile (the close
     * may already have gone through the subscriptions before this one was registered), and a
     * broker failure an ERROR.
     */
    private Mono<Void> settled(Subscription sub, Mono<Void> effect) {
        if (state.get() == State.CLOSED) {
            subscriptions.remove(sub);
            return releaseAtBroker(sub);
        }
        return effect.onErrorMap(BrokerException.class, e -> {
            forget(sub);
            return new StompProtocolException(ErrorReason.BROKER,
                    "could not subscribe to '" + sub.destination() + "': " + e.getMessage());
        });
    }

    /** A topic subscription that reads the history first; its RECEIPT says whether it all was retained. */
    private Mono<Void> readingHistory(Subscription sub, String pattern, HistoryStart start, String receipt) {
        return settled(sub, HistoryReplays.subscribe(ctx, this, sub, pattern, start, recovered -> {
            if (receipt != null) {
                send(HistoryReplays.receipt(receipt, recovered));
            }
        }));
    }

    private Mono<Void> onUnsubscribe(StompFrame frame) {
        String subscriptionId = frame.header(StompHeaders.ID);
        if (subscriptionId == null) {
            subscriptionId = frame.header(StompHeaders.DESTINATION); // STOMP 1.0
        }
        Subscription sub = subscriptions.get(subscriptionId);
        if (sub == null) {
            throw new StompProtocolException(ErrorReason.PROTOCOL, "no subscription with id '" + subscriptionId + "'");
        }
        return forget(sub);
    }

    /** Removes a subscription here and at the broker; completes when the broker side has stopped. */
    private Mono<Void> forget(Subscription sub) {
        if (!subscriptions.remove(sub)) {
            return Mono.empty();
        }
        return releaseAtBroker(sub);
    }

    /** The registry and broker side of ending a subscription; idempotent, so safe to race with a close. */
    private Mono<Void> releaseAtBroker(Subscription sub) {
        sub.leavePresence();
        if (Destinations.isPresence(sub.destination())) {
            return Mono.empty();
        }
        Address address = sub.address();
        if (address instanceof Address.Topic topic) {
            HistoryReplay replay = sub.replay();
            if (replay != null) {
                replay.cancel();
            }
            ctx.registry().unsubscribeTopic(sub, topic.key());
            return Mono.empty();
        }
        if (address instanceof Address.User user) {
            subscriptions.leaveUserQueue(sub, user.queue());
            return Mono.empty();
        }
        QueueConsumer consumer = sub.cancel();
        return consumer == null ? Mono.empty() : consumer.cancel().onErrorResume(e -> Mono.empty());
    }

    private Mono<Void> onAck(StompFrame frame) {
        String tx = frame.header(StompHeaders.TRANSACTION);
        if (tx != null) {
            transactions.buffer(tx, frame);
            return Mono.empty();
        }
        settle(frame);
        return Mono.empty();
    }

    private void settle(StompFrame frame) {
        String ackId = version == StompVersion.V1_2 ? frame.header(StompHeaders.ID) : frame.header(StompHeaders.MESSAGE_ID);
        subscriptions.settle(ackId, frame.command() == StompCommand.NACK, frame.command().name());
    }

    private Mono<Void> onBegin(StompFrame frame) {
        transactions.begin(frame.header(StompHeaders.TRANSACTION));
        return Mono.empty();
    }

    private Mono<Void> onCommit(StompFrame frame) {
        List<Mono<Void>> published = new ArrayList<>();
        for (StompFrame f : transactions.commit(frame.header(StompHeaders.TRANSACTION))) {
            if (f.command() == StompCommand.SEND) {
                String destination = f.header(StompHeaders.DESTINATION);
                published.add(publisher.publish(Destinations.forSend(destination, ctx.broker().maxQueueNameBytes()), f,
                        identity.name()));
            }
            else {
                settle(f);
            }
        }
        return Mono.when(published).onErrorResume(e -> Mono.empty());
    }

    private Mono<Void> onAbort(StompFrame frame) {
        transactions.abort(frame.header(StompHeaders.TRANSACTION));
        return Mono.empty();
    }

    private Mono<Void> onDisconnect(String receipt) {
        return publisher.whenIdle().then(Mono.fromRunnable(() -> {
            if (receipt != null) {
                send(StompFrame.receipt(receipt));
            }
            close(CloseReason.CLIENT_DISCONNECT, null, null, false);
        }));
    }

    /** Ends the session with one ERROR; {@code receipt} is the failing frame's, echoed as {@code receipt-id}. */
    private void failed(Throwable error, String receipt) {
        if (error instanceof StompProtocolException e) {
            closeWith(CloseReason.PROTOCOL_ERROR, errorFrame(e.reason(), e.getMessage(), receipt), e.reason(), false);
        }
        else {
            log.warn("session failed session={} principal={} node={}: {}", id, LogText.of(principal()), ctx.nodeId(),
                    error.toString());
            closeWith(CloseReason.PROTOCOL_ERROR, errorFrame(ErrorReason.PROTOCOL, "internal error", receipt),
                    ErrorReason.PROTOCOL, false);
        }
    }

    private static StompFrame errorFrame(ErrorReason reason, String message, String receipt) {
        StompFrame error = StompFrame.error(message, receipt);
        if (reason == ErrorReason.UNSUPPORTED_VERSION) {
            // STOMP 1.1 §"Protocol Negotiation": the ERROR lists the versions the server supports.
            error = error.withHeaders(error.headers().toBuilder()
                    .add(StompHeaders.VERSION, StompVersion.supportedList()).build());
        }
        return error;
    }

    // ---------------------------------------------------------------- delivery

    /**
     * A MESSAGE for {@code sub}: a broadcast, a user message or one read from the history; called
     * from broker threads. {@code consumed} (may be null) runs once it is written, or at once if it
     * cannot be queued (the session is closing).
     */
    void deliver(Subscription sub, SharedMessage message, Runnable consumed) {
        StompVersion v = version;
        boolean queued = v != null && state.get() == State.CONNECTED && enqueue(new OutboundItem.MessageItem(message,
                sub.id(), subscriptions.nextMessageId(), sub.ackMode() != AckMode.AUTO, v, false, consumed));
        if (!queued && consumed != null) {
            consumed.run();
        }
    }

    /** A history read failed, or live messages piled up behind a slow one: the session ends. */
    void historyFailed(ErrorReason reason, String message) {
        close(reason == ErrorReason.SLOW_CONSUMER ? CloseReason.SLOW_CONSUMER : CloseReason.BROKER_FAILURE, reason,
                message, reason == ErrorReason.SLOW_CONSUMER);
    }

    /** A message for this session's user; goes to each of its subscriptions to that user queue. */
    void deliverToUserQueue(String queue, SharedMessage message) {
        for (Subscription sub : subscriptions.ofUserQueue(queue)) {
            deliver(sub, message, null);
        }
    }

    private void deliverFromQueue(Subscription sub, QueueDelivery delivery) {
        StompVersion v = version;
        if (v == null || sub.isCancelled() || state.get() != State.CONNECTED) {
            // Not rejected here: the consumer is being cancelled, which gives every unacknowledged
            // delivery back to the queue; rejecting now would hand it straight back to this consumer.
            return;
        }
        String messageId = subscriptions.nextMessageId();
        Runnable onWritten = null;
        if (sub.ackMode() == AckMode.AUTO) {
            onWritten = delivery::ack;
        }
        else if (!sub.awaitAck(messageId, delivery)) {
            return; // the subscription ended meanwhile; its consumer's cancellation requeues the delivery
        }
        SharedMessage message = new SharedMessage(sub.destination(), delivery.message(), ctx.registry().nodeHeaders());
        enqueue(new OutboundItem.MessageItem(message, sub.id(), messageId, sub.ackMode() != AckMode.AUTO, v,
                delivery.redelivered(), onWritten));
        // Not queued: the session is closing, and cancelling its consumers requeues the delivery.
    }

    // ---------------------------------------------------------------- outbound

    private void send(StompFrame frame) {
        enqueue(new OutboundItem.FrameItem(frame, version, null));
    }

    private boolean enqueue(OutboundItem item) {
        return output.enqueue(item);
    }

    // ---------------------------------------------------------------- closing

    private void close(CloseReason reason, ErrorReason errorReason, String errorMessage, boolean dropBacklog) {
        closeWith(reason, errorMessage == null ? null : StompFrame.error(errorMessage, null), errorReason, dropBacklog);
    }

    /** Closes once: {@code error} (may be null) is the last frame, after the backlog unless it is dropped. */
    private void closeWith(CloseReason reason, StompFrame error, ErrorReason errorReason, boolean dropBacklog) {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        closeReason = reason;
        OutboundItem last = null;
        String errorMessage = error == null ? null : error.header(StompHeaders.MESSAGE);
        if (error != null) {
            ctx.metrics().error(errorReason);
            last = new OutboundItem.FrameItem(error, version, null);
        }
        output.finish(last, dropBacklog);
        onClosing.run();
        release();
        closed.tryEmitEmpty();
        if (reason != CloseReason.TRANSPORT_CLOSED) {
            Duration timeout = options.closeTimeout();
            Mono.delay(timeout, ctx.timer()).subscribe(t -> forceClose.run());
        }
        if (errorMessage != null) {
            log.info("session closed session={} principal={} node={} reason={} error=\"{}\"",
                    id, LogText.of(principal()), ctx.nodeId(), reason, LogText.of(errorMessage));
        }
        else {
            log.info("session closed session={} principal={} node={} reason={}", id, LogText.of(principal()), ctx.nodeId(),
                    reason);
        }
    }

    /** Releases subscriptions, transactions, timers and the user binding. Safe to call more than once. */
    private void release() {
        timers.dispose();
        transactions.clear();
        for (Subscription sub : subscriptions.snapshot()) {
            forget(sub).subscribe(null, e -> { });
        }
        subscriptions.clearUserQueues();
        if (identity != null) {
            ctx.registry().detachUser(this);
        }
        ctx.registry().unregister(this);
    }


    @Override
    public String toString() {
        return "StompSession[" + id + ", " + principal() + "]";
    }
}
