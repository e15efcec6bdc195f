package io.stompgate.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompVersion;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Turns the WebSocket layer's refusal of a single frame too large to read
 * (close code 1009) into the contract's answer: an ERROR frame saying so, then
 * the close. Sits between Netty's WebSocket encoder and decoder, where it sees
 * the close frame the decoder writes, and writes the ERROR just before it.
 */
final class OversizedFrameGuard extends ChannelOutboundHandlerAdapter {

    static final String NAME = "stompgate-oversized-frame-guard";

    /** How long a refused connection stays open for its ERROR to reach the client. */
    static final Duration LINGER = Duration.ofSeconds(1);

    private final int maxFrameBytes;
    private final Runnable onRefused;
    private boolean done;
    private boolean lingering;

    /** @param onRefused told once, when a frame was refused this way */
    OversizedFrameGuard(int maxFrameBytes, Runnable onRefused) {
        this.maxFrameBytes = maxFrameBytes;
        this.onRefused = onRefused;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!done && msg instanceof CloseWebSocketFrame close
                && close.statusCode() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
            done = true;
            byte[] error = StompEncoder.encode(StompFrame.error("frame larger than " + maxFrameBytes + " bytes", null),
                    StompVersion.V1_2);
            ByteBuf content = ctx.alloc().buffer(error.length).writeBytes(error);
            ctx.write(new TextWebSocketFrame(content));
            onRefused.run();
        }
        ctx.write(msg, promise);
    }

    /**
     * The WebSocket decoder closes at once after the 1009 close frame, while the client is still
     * sending the rest of its oversized frame. A close with unread input answers with a TCP reset,
     * which can destroy the ERROR and the close frame before the client reads them: so the close
     * waits a moment, reading on (the decoder discards what follows a refused frame).
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!done || lingering) {
            ctx.close(promise);
            return;
        }
        lingering = true;
        ctx.flush();
        ctx.channel().config().setAutoRead(true);
        ctx.executor().schedule(() -> {
            ctx.close(promise);
        }, LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }
}
