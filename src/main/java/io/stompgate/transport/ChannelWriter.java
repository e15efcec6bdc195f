package io.stompgate.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.stompgate.session.OutboundItem;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Writes a session's outbound frames straight to its Netty channel, on the
 * channel's event loop (the session's queue drains there): no intermediate
 * queue and no thread hop per frame. It asks for more frames only while the
 * channel is writable, so a client that reads slowly backs frames up into the
 * session's bounded queue, where they count towards the slow-consumer limit,
 * rather than into Netty's unbounded outbound buffer. Frames written in one
 * drain are flushed together.
 */
final class ChannelWriter extends ChannelInboundHandlerAdapter implements Subscriber<OutboundItem> {

    static final String NAME = "stompgate-writer";
    /** Frames asked for at a time. */
    private static final int BATCH = 64;

    private final Channel channel;
    private final Runnable done;
    private final Runnable flushTask = this::flush;
    private Subscription subscription;
    private int outstanding;
    private boolean flushScheduled;
    private boolean closing;

    /** @param done runs (on the event loop) once the last frame is written and flushed */
    ChannelWriter(Channel channel, Runnable done) {
        this.channel = channel;
        this.done = done;
    }

    @Override
    public void onSubscribe(Subscription s) {
        this.subscription = s;
        channel.eventLoop().execute(this::requestMore);
    }

    @Override
    public void onNext(OutboundItem item) {
        outstanding--;
        ByteBuf content = item.encode(channel.alloc());
        channel.write(item.isText() ? new TextWebSocketFrame(content) : new BinaryWebSocketFrame(content),
                channel.voidPromise());
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flush() {
        flushScheduled = false;
        channel.flush();
        requestMore();
    }

    /**
     * The session is closing: what it still has to say (its backlog unless dropped, then
     * an ERROR or a RECEIPT; bounded by its queue) is written whether or not the client
     * has been reading, so a slow client that resumes still learns why it was closed.
     */
    void closing() {
        channel.eventLoop().execute(() -> {
            closing = true;
            requestMore();
        });
    }

    private void requestMore() {
        if (subscription != null && (closing || channel.isWritable()) && outstanding <= BATCH / 2) {
            int n = BATCH - outstanding;
            outstanding += n;
            subscription.request(n);
        }
    }

    @Override
    public void onError(Throwable t) {
        channel.flush();
        done.run();
    }

    @Override
    public void onComplete() {
        channel.flush();
        done.run();
    }

    /** The socket drained below Netty's low-water mark: take frames again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        requestMore();
        ctx.fireChannelWritabilityChanged();
    }

    /** Stops asking for frames: the connection is gone. */
    void cancel() {
        if (subscription != null) {
            subscription.cancel();
        }
    }
}
