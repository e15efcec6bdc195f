package io.stompgate.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.stompgate.stomp.DecodeResult;
import io.stompgate.stomp.FrameAccumulator;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompLimits;
import io.stompgate.stomp.StompVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * A wire-level STOMP-over-WebSocket test client: sends raw bytes (or frames) in
 * whatever WebSocket messages a test wants and decodes everything it receives,
 * recording heart-beats, text/binary kinds and the close. Blocking accessors
 * with timeouts keep tests readable.
 */
public final class RawStompClient implements AutoCloseable {

    private final BlockingQueue<StompFrame> frames = new LinkedBlockingQueue<>();
    private final List<Boolean> textKinds = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger heartBeats = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean open = new AtomicBoolean();
    private final Sinks.Many<WebSocketFrame> outbound = Sinks.many().unicast().onBackpressureBuffer();
    private final FrameAccumulator accumulator = new FrameAccumulator(new StompLimits(16 << 20, 1024, 1 << 20));
    private volatile String subprotocol;
    private volatile Integer handshakeStatus;
    private volatile boolean paused;
    private Disposable connection;

    private RawStompClient() {
    }

    /** Connects to {@code ws://127.0.0.1:port/path}; fails if the upgrade is refused. */
    public static RawStompClient connect(int port, String pathAndQuery, Consumer<HttpHeaders> headers, String... subprotocols) {
        RawStompClient client = new RawStompClient();
        client.start(port, pathAndQuery, headers, subprotocols);
        return client;
    }

    public static RawStompClient connect(int port) {
        return connect(port, "/ws", h -> { });
    }

    /** Attempts a handshake and returns the HTTP status the server answered (101 when upgraded). */
    public static int handshakeStatus(int port, String pathAndQuery, Consumer<HttpHeaders> headers) {
        return HttpClient.create()
                .headers(headers)
                .get()
                .uri("http://127.0.0.1:" + port + pathAndQuery)
                .response()
                .map(r -> r.status().code())
                .onErrorReturn(-1)
                .block(Duration.ofSeconds(10));
    }

    private void start(int port, String pathAndQuery, Consumer<HttpHeaders> headers, String... subprotocols) {
        WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder().maxFramePayloadLength(16 << 20);
        if (subprotocols.length > 0) {
            spec.protocols(String.join(",", subprotocols));
        }
        CountDownLatch upgraded = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        connection = HttpClient.create()
                .headers(headers)
                .websocket(spec.build())
                .uri("ws://127.0.0.1:" + port + pathAndQuery)
                .handle((in, out) -> {
                    subprotocol = in.headers().get("Sec-WebSocket-Protocol");
                    open.set(true);
                    upgraded.countDown();
                    Mono<Void> receive = in.receiveFrames()
                            .doOnNext(this::onFrame)
                            .then();
                    Mono<Void> send = out.sendObject(outbound.asFlux()).then();
                    return Mono.when(receive, send.onErrorResume(e -> Mono.empty())).onErrorResume(e -> Mono.empty());
                })
                .doFinally(s -> {
                    open.set(false);
                    closed.countDown();
                    upgraded.countDown();
                })
                .subscribe(null, e -> failed.set(true));
        try {
            if (!upgraded.await(10, TimeUnit.SECONDS) || !open.get()) {
                throw new IllegalStateException("WebSocket upgrade did not happen");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void onFrame(WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame) {
            return;
        }
        if (!(frame instanceof TextWebSocketFrame) && !(frame instanceof BinaryWebSocketFrame)
                && !(frame instanceof io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame)) {
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(frame.content());
        textKinds.add(frame instanceof TextWebSocketFrame);
        synchronized (accumulator) {
            accumulator.append(bytes);
            for (;;) {
                DecodeResult r = accumulator.poll(StompVersion.V1_2);
                if (r == null) {
                    break;
                }
                if (r instanceof DecodeResult.HeartBeat) {
                    heartBeats.incrementAndGet();
                }
                else if (r instanceof DecodeResult.Frame f) {
                    frames.add(f.frame());
                }
                else {
                    throw new IllegalStateException("client could not decode server output: " + r);
                }
            }
        }
    }

    public String subprotocol() {
        return subprotocol;
    }

    /** Sends {@code text} as one text WebSocket message. */
    public RawStompClient sendText(String text) {
        outbound.tryEmitNext(new TextWebSocketFrame(text));
        return this;
    }

    public RawStompClient sendBinary(byte[] bytes) {
        outbound.tryEmitNext(new BinaryWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(bytes)));
        return this;
    }

    /** Encodes and sends one frame as one text message (STOMP 1.2 escaping). */
    public RawStompClient send(StompFrame frame) {
        return sendBinaryOrText(StompEncoder.encode(frame, StompVersion.V1_2));
    }

    private RawStompClient sendBinaryOrText(byte[] bytes) {
        outbound.tryEmitNext(new TextWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(bytes)));
        return this;
    }

    /** CONNECT with accept-version 1.2 and no heart-beats; returns the CONNECTED frame. */
    public StompFrame connectStomp(String... extraHeaders) {
        StringBuilder sb = new StringBuilder("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\n");
        for (int i = 0; i < extraHeaders.length; i += 2) {
            sb.append(extraHeaders[i]).append(':').append(extraHeaders[i + 1]).append('\n');
        }
        sendText(sb.append("\n\0").toString());
        return expect(f -> true, Duration.ofSeconds(10));
    }

    /** The next frame, or null after {@code timeout}. */
    public StompFrame next(Duration timeout) {
        try {
            return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public StompFrame next() {
        return next(Duration.ofSeconds(10));
    }

    /** Skips frames until one matches; fails if none does within {@code timeout}. */
    public StompFrame expect(Predicate<StompFrame> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            StompFrame f = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (f != null && match.test(f)) {
                return f;
            }
        }
        throw new AssertionError("no matching frame within " + timeout);
    }

    /** Frames that arrived, without waiting. */
    public List<StompFrame> drain() {
        List<StompFrame> out = new ArrayList<>();
        frames.drainTo(out);
        return out;
    }

    public int heartBeatsReceived() {
        return heartBeats.get();
    }

    public List<Boolean> textKinds() {
        return List.copyOf(textKinds);
    }

    public boolean awaitClosed(Duration timeout) {
        try {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isOpen() {
        return open.get();
    }

    @Override
    public void close() {
        outbound.tryEmitComplete();
        if (connection != null) {
            connection.dispose();
        }
        awaitClosed(Duration.ofSeconds(5));
    }

    public static String text(StompFrame f) {
        return new String(f.body(), StandardCharsets.UTF_8);
    }
}
