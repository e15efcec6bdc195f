package io.stompgate.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.stompgate.session.StompSession;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.MonoSink;
import reactor.netty.NettyPipeline;

/**
 * One WebSocket connection carrying one session: WebSocket frames in, one at a
 * time as the session asks for them (text, binary and continuation fragments
 * alike, so a STOMP frame may span messages and fragments); STOMP frames out
 * through a {@link ChannelWriter}. Plain objects wired to Netty rather than an
 * operator chain, because a node holds tens of thousands of these for hours.
 *
 * <p>Closing: once the session has written its last frame (an ERROR, a RECEIPT),
 * the server sends a WebSocket close and waits a moment for the client's, reading
 * and dropping whatever still arrives. Closing the socket at once, with input
 * unread, would make the kernel send a reset that can destroy the ERROR before the
 * client reads it.
 */
final class StompConnection implements CoreSubscriber<WebSocketFrame> {

    /** How long a closing server waits for the client's WebSocket close frame. */
    static final Duration CLOSE_HANDSHAKE_WAIT = Duration.ofSeconds(2);

    private final Channel channel;
    private final StompSession session;
    private final MonoSink<Void> ended;
    private final ChannelWriter writer;
    private volatile Subscription inbound;

    /** @param ended completes when the connection is closed */
    StompConnection(Channel channel, StompSession session, MonoSink<Void> ended) {
        this.channel = channel;
        this.session = session;
        this.ended = ended;
        this.writer = new ChannelWriter(channel, this::lastFrameWritten);
    }

    /** Wires the session to the channel and starts both directions. */
    void start(reactor.core.publisher.Flux<WebSocketFrame> frames) {
        session.onForceClose(channel::close);
        session.onClosing(writer::closing);
        session.drainOutboundOn(channel.eventLoop());
        if (channel.pipeline().get(NettyPipeline.ReactiveBridge) != null) {
            channel.pipeline().addBefore(NettyPipeline.ReactiveBridge, ChannelWriter.NAME, writer);
        }
        else {
            channel.pipeline().addLast(ChannelWriter.NAME, writer);
        }
        channel.closeFuture().addListener(f -> {
            writer.cancel();
            session.transportClosed();
            ended.success();
        });
        session.outbound().subscribe(writer);
        frames.subscribe(this);
    }

    @Override
    public void onSubscribe(Subscription s) {
        inbound = s;
        session.startReading(() -> s.request(1));
    }

    @Override
    public void onNext(WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
                || frame instanceof ContinuationWebSocketFrame) {
            ByteBuf content = frame.content();
            // Copied: Reactor Netty releases the frame once this returns.
            session.onBytes(ByteBufUtil.getBytes(content, content.readerIndex(), content.readableBytes(), false));
        }
        else {
            inbound.request(1); // a pong: nothing for the session
        }
    }

    @Override
    public void onError(Throwable error) {
        session.transportClosed();
    }

    @Override
    public void onComplete() {
        session.transportClosed();
    }

    /** The session's last frame is flushed: say goodbye, and close for good if the client does not answer. */
    private void lastFrameWritten() {
        session.transportClosed();
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, CLOSE_HANDSHAKE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
