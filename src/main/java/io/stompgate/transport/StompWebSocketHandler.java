package io.stompgate.transport;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.stompgate.session.Identity;
import io.stompgate.session.SessionContext;
import io.stompgate.session.StompSession;
import io.stompgate.stomp.StompVersion;
import java.util.List;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Mono;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * Runs a {@link StompSession} over one Reactor Netty WebSocket (see
 * {@link StompConnection}): encoded STOMP frames go out as text when they are
 * valid UTF-8 and binary otherwise. The connection ends when the session has
 * written its last frame, or when the client goes away.
 *
 * <p>Registered with WebFlux as a {@link WebSocketHandler} for the handshake and
 * subprotocol negotiation, but sessions are started by {@link StompUpgradeStrategy}
 * on the Netty connection directly, so no WebFlux session (and no copy of the
 * handshake's headers) is kept per connection.
 */
public final class StompWebSocketHandler implements WebSocketHandler {

    private static final String UTF8_VALIDATOR = "stompgate-utf8-validator";

    private static final List<String> SUBPROTOCOLS = List.of(
            StompVersion.V1_2.subprotocol(), StompVersion.V1_1.subprotocol(), StompVersion.V1_0.subprotocol());

    private final SessionContext context;

    public StompWebSocketHandler(SessionContext context) {
        this.context = context;
    }

    @Override
    public List<String> getSubProtocols() {
        return SUBPROTOCOLS;
    }

    /** Not used: {@link StompUpgradeStrategy} starts sessions through {@link #handle(WebsocketInbound, WebsocketOutbound, Identity)}. */
    @Override
    public Mono<Void> handle(WebSocketSession session) {
        return Mono.error(new UnsupportedOperationException(
                "the STOMP endpoint runs on Reactor Netty through StompUpgradeStrategy"));
    }

    Mono<Void> handle(WebsocketInbound in, WebsocketOutbound out, Identity identity) {
        StompSession session = new StompSession(SessionIds.next(), identity, context);
        Channel[] channel = new Channel[1];
        in.withConnection(connection -> channel[0] = connection.channel());
        var pipeline = channel[0].pipeline();
        if (pipeline.get("wsdecoder") != null && pipeline.get(RefusedFrameGuard.NAME) == null) {
            int limit = context.options().limits().maxFrameBytes();
            pipeline.addBefore("wsdecoder", RefusedFrameGuard.NAME, new RefusedFrameGuard(limit, session::abort));
            // RFC 6455 §8.1: a text message that is not UTF-8 fails the connection with close code 1007.
            // Netty adds this validator only with its own protocol handler, not on Reactor Netty's path.
            pipeline.addAfter("wsdecoder", UTF8_VALIDATOR, new Utf8FrameValidator(true));
        }
        // The request's headers are not needed once upgraded; a browser's (cookies included) would
        // otherwise stay in memory for the whole life of the connection.
        in.headers().clear();
        return Mono.create(ended -> new StompConnection(channel[0], session, ended).start(in.receiveFrames()));
    }
}
