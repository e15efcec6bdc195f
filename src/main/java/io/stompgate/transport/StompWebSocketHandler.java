package io.stompgate.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.stompgate.session.ErrorReason;
import io.stompgate.session.Identity;
import io.stompgate.session.SessionContext;
import io.stompgate.session.StompSession;
import io.stompgate.stomp.StompVersion;
import java.util.List;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * Runs a {@link StompSession} over one Reactor Netty WebSocket: WebSocket frames
 * in (text, binary and continuation alike, each fragment as it comes, so a STOMP
 * frame may span messages and fragments), encoded STOMP frames out, as text when
 * they are valid UTF-8 and binary otherwise. The connection ends when the session
 * has written its last frame, or when the client goes away.
 *
 * <p>Registered with WebFlux as a {@link WebSocketHandler} for the handshake and
 * subprotocol negotiation, but sessions are started by {@link StompUpgradeStrategy}
 * on the Netty connection directly, so no WebFlux session (and no copy of the
 * handshake's headers) is kept per connection.
 */
public final class StompWebSocketHandler implements WebSocketHandler {

    private static final List<String> SUBPROTOCOLS = List.of(
            StompVersion.V1_2.subprotocol(), StompVersion.V1_1.subprotocol(), StompVersion.V1_0.subprotocol());

    /** How long a closing server waits for the client's WebSocket close frame. */
    static final java.time.Duration CLOSE_HANDSHAKE_WAIT = java.time.Duration.ofSeconds(2);

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
        Channel[] channelRef = new Channel[1];
        in.withConnection(connection -> {
            channelRef[0] = connection.channel();
            session.onForceClose(connection::dispose);
            var pipeline = connection.channel().pipeline();
            if (pipeline.get("wsdecoder") != null && pipeline.get(OversizedFrameGuard.NAME) == null) {
                int limit = context.options().limits().maxFrameBytes();
                pipeline.addBefore("wsdecoder", OversizedFrameGuard.NAME, new OversizedFrameGuard(limit,
                        () -> session.abort(ErrorReason.FRAME_TOO_LARGE, "frame larger than " + limit + " bytes")));
            }
        });
        Channel channel = channelRef[0];
        session.drainOutboundOn(channel.eventLoop());
        Mono<Void> frames = Mono.create(sink -> {
            ChannelWriter writer = new ChannelWriter(channel, sink);
            channel.pipeline().addLast(ChannelWriter.NAME, writer);
            channel.closeFuture().addListener(f -> {
                writer.cancel();
                sink.success();
            });
            sink.onCancel(writer::cancel);
            session.onClosing(writer::closing);
            session.outbound().subscribe(writer);
        });
        // Closing: once the session has written its last frame (an ERROR, a RECEIPT), the server sends a
        // WebSocket close and waits briefly for the client's, reading and dropping whatever still arrives.
        // Cancelling the inbound side at once would close the socket with unread input, and the kernel's
        // reset could destroy the ERROR before the client reads it.
        Sinks.Empty<Void> finished = Sinks.empty();
        Mono<Void> output = frames
                .onErrorResume(e -> Mono.empty())
                .then(Mono.defer(() -> {
                    session.transportClosed();
                    // Written as a plain frame: Reactor Netty's sendClose() closes the socket right after it.
                    return out.sendObject(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE)).then()
                            .onErrorResume(e -> Mono.empty());
                }))
                .then(in.receiveCloseStatus().then().timeout(CLOSE_HANDSHAKE_WAIT, Mono.empty())
                        .onErrorResume(e -> Mono.empty()))
                .doFinally(signal -> {
                    session.transportClosed();
                    finished.tryEmitEmpty();
                });
        Mono<Void> input = session.receive(in.receiveFrames()
                .takeUntilOther(finished.asMono())
                .mapNotNull(StompWebSocketHandler::payload));
        return Mono.when(input, output);
    }

    private static byte[] payload(WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
                || frame instanceof ContinuationWebSocketFrame) {
            ByteBuf content = frame.content();
            return ByteBufUtil.getBytes(content, content.readerIndex(), content.readableBytes(), false);
        }
        return null;
    }
}
