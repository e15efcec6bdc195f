package io.stompgate.bench.loadtool;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.flush.FlushConsolidationHandler;
import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.LoopResources;

/**
 * One WebSocket connection speaking STOMP (or nothing, in raw mode). Frames are written straight to
 * the Netty channel; inbound WebSocket frames are scanned in place by {@link Stomp.Decoder}. All
 * callbacks run on the connection's event loop.
 */
final class Conn implements Stomp.FrameHandler {

    /** What a scenario does with a connection's events. */
    interface Listener {
        void onConnected(Conn c);

        void onReceipt(Conn c, long receiptId);

        void onMessage(Conn c, ByteBuf buf, int bodyStart, int bodyEnd);

        void onError(Conn c, String message);

        void onClosed(Conn c, Throwable cause);

        /** Raw mode: one text message (the first one is the server's greeting). */
        default void onRaw(Conn c, ByteBuf content) {
        }
    }

    /** Shared client configuration: event loops and options. */
    static final class Env {
        final Options opts;
        final LoopResources loops;
        final HttpClient base;
        final WebsocketClientSpec spec;
        /** Heart-beat EOLs this process sent, over all its connections. */
        final java.util.concurrent.atomic.LongAdder heartBeatsSent = new java.util.concurrent.atomic.LongAdder();

        Env(Options opts) {
            this.opts = opts;
            this.loops = LoopResources.create("loadtool", 1, opts.threads, true);
            this.base = HttpClient.newConnection()
                    .runOn(loops)
                    .resolver(LoopbackResolver.INSTANCE)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) (opts.connectTimeout * 1000))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .compress(false);
            WebsocketClientSpec.Builder b = WebsocketClientSpec.builder()
                    .maxFramePayloadLength(1 << 20)
                    .handlePing(false)
                    .compress(false);
            if (!opts.raw && opts.subprotocol != null && !opts.subprotocol.isEmpty()) {
                b.protocols(opts.subprotocol);
            }
            this.spec = b.build();
        }

        /** Source address {@code 127.0.0.(1 + i % k)} for connection {@code i}. */
        InetSocketAddress source(int i) {
            return new InetSocketAddress("127.0.0." + (1 + (i % opts.sourceAddresses)), 0);
        }

        /** Stops the event loops; a slow stop (tens of thousands of sockets closing) is logged, not thrown. */
        void dispose() {
            try {
                loops.disposeLater(Duration.ZERO, Duration.ofSeconds(20)).block(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                LoadTool.log("event loops not stopped in time: " + Scenario.describe(e));
            }
        }
    }

    final int index;
    final String user;
    final URI uri;
    final Listener listener;
    private final Env env;
    private final Stomp.Decoder decoder;
    private final boolean consolidateFlushes;
    volatile Channel channel;
    private volatile Disposable subscription;
    volatile boolean closing;
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    long startNanos;
    long connectedNanos;
    long readyNanos;
    /** Closed by the server with an ERROR the scenario reconnects after, and replaced. */
    volatile boolean handedBack;
    /** When the connection this one replaces got the ERROR that sent it here (reconnects only), else 0. */
    long replacesSinceNanos;
    /** Scenario state, touched only on the event loop. */
    long inflight;
    boolean greeted;
    /** The heart-beat task (event loop), when the session negotiated client heart-beats. */
    private volatile java.util.concurrent.ScheduledFuture<?> heartBeats;

    Conn(Env env, int index, String user, URI uri, Listener listener, boolean consolidateFlushes) {
        this.env = env;
        this.index = index;
        this.user = user;
        this.uri = uri;
        this.listener = listener;
        this.decoder = new Stomp.Decoder(this);
        this.consolidateFlushes = consolidateFlushes;
    }

    void open(InetSocketAddress source) {
        Options o = env.opts;
        String target = uri.toString();
        if (!o.raw && o.identity.contains("query")) {
            target += (target.contains("?") ? "&" : "?") + "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8);
        }
        HttpClient client = env.base.bindAddress(() -> source);
        if (!o.raw && o.identity.contains("header")) {
            client = client.headers(h -> h.set(o.userHeader, user));
        }
        startNanos = System.nanoTime();
        subscription = client.websocket(env.spec)
                .uri(target)
                .handle((in, out) -> {
                    in.withConnection(c -> onOpen(c.channel()));
                    return in.receiveFrames().doOnNext(this::onWsFrame).then();
                })
                .subscribe(null, this::onTerminated, () -> onTerminated(null));
    }

    private void onOpen(Channel ch) {
        this.channel = ch;
        if (consolidateFlushes) {
            ch.pipeline().addFirst("loadtool-flush", new FlushConsolidationHandler(256, true));
        }
        if (closing) {
            close();
            return;
        }
        if (!env.opts.raw) {
            Options o = env.opts;
            String login = o.login != null ? o.login : (o.identity.contains("login") ? user : null);
            write(Stomp.frame(ch.alloc(), "CONNECT", new String[] {
                "accept-version", "1.2",
                "host", o.vhost,
                "heart-beat", o.heartBeatCx + "," + o.heartBeatCy,
                "login", login,
                "passcode", o.passcode != null ? o.passcode : (login != null ? "" : null)
            }, null), true);
        }
    }

    private void onWsFrame(WebSocketFrame frame) {
        if (env.opts.raw) {
            if (frame.isFinalFragment()) {
                listener.onRaw(this, frame.content());
            }
            return;
        }
        if (frame instanceof TextWebSocketFrame || frame instanceof ContinuationWebSocketFrame
                || frame instanceof io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame) {
            decoder.decode(channel.alloc(), frame.content());
        }
    }

    @Override
    public void onFrame(int command, ByteBuf buf, int headersStart, int bodyStart, int bodyEnd, long receiptId) {
        switch (command) {
            case Stomp.MESSAGE -> listener.onMessage(this, buf, bodyStart, bodyEnd);
            case Stomp.RECEIPT -> listener.onReceipt(this, receiptId);
            case Stomp.CONNECTED -> {
                connectedNanos = System.nanoTime();
                startHeartBeats(Stomp.heartBeatSendMs(env.opts.heartBeatCx, Stomp.header(buf, headersStart, bodyStart, "heart-beat")));
                connected.complete(null);
                listener.onConnected(this);
            }
            case Stomp.ERROR -> {
                String m = Stomp.header(buf, headersStart, bodyStart, "message");
                listener.onError(this, "ERROR " + (m == null ? buf.toString(bodyStart, Math.min(200, bodyEnd - bodyStart),
                        StandardCharsets.UTF_8) : m));
            }
            default -> {
            }
        }
    }

    /** An EOL every {@code everyMs} on this connection's event loop, the first after a random part of it. */
    private void startHeartBeats(long everyMs) {
        Channel ch = channel;
        if (everyMs <= 0 || ch == null) {
            return;
        }
        long first = java.util.concurrent.ThreadLocalRandom.current().nextLong(everyMs) + 1;
        heartBeats = ch.eventLoop().scheduleAtFixedRate(() -> {
            if (ch.isActive() && !closing) {
                ch.writeAndFlush(new TextWebSocketFrame(ch.alloc().buffer(1).writeByte('\n')), ch.voidPromise());
                env.heartBeatsSent.increment();
            }
        }, first, everyMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void onTerminated(Throwable cause) {
        java.util.concurrent.ScheduledFuture<?> hb = heartBeats;
        if (hb != null) {
            hb.cancel(false);
        }
        decoder.release();
        closed.complete(null);
        listener.onClosed(this, cause);
    }

    /** Writes a frame; flushes when asked (the publisher flushes once per batch). */
    void write(ByteBuf frame, boolean flush) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            frame.release();
            return;
        }
        TextWebSocketFrame ws = new TextWebSocketFrame(frame);
        if (flush) {
            ch.writeAndFlush(ws, ch.voidPromise());
        } else {
            ch.write(ws, ch.voidPromise());
        }
    }

    void flush() {
        Channel ch = channel;
        if (ch != null) {
            ch.flush();
        }
    }

    ByteBufAllocator alloc() {
        Channel ch = channel;
        return ch != null ? ch.alloc() : ByteBufAllocator.DEFAULT;
    }

    void subscribe(String destination, long receipt) {
        write(Stomp.frame(alloc(), "SUBSCRIBE", new String[] {
            "id", "0", "destination", destination, "ack", "auto", "receipt", Long.toString(receipt)
        }, null), true);
    }

    /** Sends a WebSocket close (1000) and closes; a connection still opening closes once open. */
    void close() {
        closing = true;
        Channel ch = channel;
        if (ch != null) {
            if (ch.isActive()) {
                ch.writeAndFlush(new CloseWebSocketFrame(1000, "bye")).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** Closes without ceremony (time-outs). */
    void abort() {
        closing = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        } else {
            Disposable d = subscription;
            if (d != null) {
                d.dispose();
            }
        }
    }
}
