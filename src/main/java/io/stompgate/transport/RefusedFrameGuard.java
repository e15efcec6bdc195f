package io.stompgate.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import io.stompgate.session.ErrorReason;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompVersion;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Turns the WebSocket layer's own refusals into the documented answer (docs/protocol.md §2.13), an ERROR
 * frame saying what was wrong and then the close: a single frame too large to
 * read (close code 1009, from Netty's decoder) and a text message that is not
 * UTF-8 (1007, from Netty's UTF-8 validator). Sits between Netty's WebSocket
 * encoder and decoder, where it sees the close frame they write, and writes the
 * ERROR just before it.
 *
 * <p>Both close the channel at once, while the client may still be sending: a
 * close with unread input answers with a TCP reset, which can destroy the ERROR
 * and the close frame before the client reads them. So the close waits
 * {@link #LINGER}, and what arrives meanwhile is released here, unread.
 */
final class RefusedFrameGuard extends ChannelDuplexHandler {

    static final String NAME = "stompgate-refused-frame-guard";

    /** How long a refused connection stays open for its ERROR to reach the client. */
    static final Duration LINGER = Duration.ofSeconds(1);

    private final int maxFrameBytes;
    private final BiConsumer<ErrorReason, String> onRefused;
    private boolean refused;
    private boolean lingering;

    /** @param onRefused told once, with the reason and the ERROR's message, when the WebSocket layer refused input */
    RefusedFrameGuard(int maxFrameBytes, BiConsumer<ErrorReason, String> onRefused) {
        this.maxFrameBytes = maxFrameBytes;
        this.onRefused = onRefused;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // the rest of a refused connection's input: discarded unread
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof CloseWebSocketFrame close) {
            if (refused) {
                // The session's own goodbye after the refusal: the client already has a close frame.
                close.release();
                promise.trySuccess();
                return;
            }
            String error = errorFor(close.statusCode());
            if (error != null) {
                refused = true;
                byte[] frame = StompEncoder.encode(StompFrame.error(error, null), StompVersion.V1_2);
                ByteBuf content = ctx.alloc().buffer(frame.length).writeBytes(frame);
                ctx.write(new TextWebSocketFrame(content));
                onRefused.accept(close.statusCode() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
                        ? ErrorReason.FRAME_TOO_LARGE : ErrorReason.MALFORMED_FRAME, error);
            }
        }
        ctx.write(msg, promise);
    }

    private String errorFor(int closeCode) {
        if (closeCode == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
            return "frame larger than " + maxFrameBytes + " bytes";
        }
        if (closeCode == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()) {
            return "text message is not valid UTF-8; send other bodies in binary messages";
        }
        return null;
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!refused || lingering) {
            ctx.close(promise);
            return;
        }
        lingering = true;
        ctx.flush();
        ctx.channel().config().setAutoRead(true); // read on, so the client's last bytes are taken and dropped
        ctx.executor().schedule(() -> {
            ctx.close(promise);
        }, LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }
}
