package io.stompgate.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.stompgate.stomp.DecodeResult;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompVersion;
import io.stompgate.stomp.Utf8;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * A wire-level STOMP-over-WebSocket test client: sends raw bytes (or frames) in
 * whatever WebSocket messages a test wants and decodes everything it receives,
 * recording for each frame whether it came in a text or a binary message, and
 * counting heart-beats. Reading can be paused, which stops demand on the socket
 * so the server sees a slow consumer. Blocking accessors with timeouts keep tests
 * readable; none of them sleeps.
 */
public final class RawStompClient implements AutoCloseable {

    /** The default wait of the blocking accessors. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One decoded frame and the kind of WebSocket message that completed it. */
    public record Received(StompFrame frame, boolean text) {
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** Frames that {@link #awaitReceipt} passed over, returned first by the next reads; used by the test thread only. */
    private final Deque<Received> passedOver = new ArrayDeque<>();
    private final AtomicInteger heartBeats = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean open = new AtomicBoolean();
    private final Sinks.Many<WebSocketFrame> outbound = Sinks.many().unicast().onBackpressureBuffer();
    private final ClientFrameDecoder decoder = new ClientFrameDecoder();
    private final Disposable.Composite timers = Disposables.composite();
    private final AtomicBoolean paused = new AtomicBoolean();
    /** Set when a frame was taken while paused, so resuming must request the next one. */
    private final AtomicBoolean demandOwed = new AtomicBoolean();
    private volatile String subprotocol;
    private volatile String session;
    private volatile String closeStatus;
    private volatile Reader reader;
    private volatile Throwable decodeFailure;
    private Disposable connection;

    private RawStompClient() {
    }

    /** Connects to {@code ws://127.0.0.1:port/pathAndQuery}; fails if the upgrade is refused. */
    public static RawStompClient connect(int port, String pathAndQuery, Consumer<HttpHeaders> headers, String... subprotocols) {
        RawStompClient client = new RawStompClient();
        client.start(port, pathAndQuery, headers, subprotocols);
        return client;
    }

    /** Connects to the default endpoint with no identity and no subprotocol. */
    public static RawStompClient connect(int port) {
        return connect(port, "/ws", h -> { });
    }

    /** Connects to the default endpoint as {@code user} (the {@code user} query parameter), offering {@code v12.stomp}. */
    public static RawStompClient connectAs(int port, String user) {
        return connect(port, "/ws?user=" + user, h -> { }, "v12.stomp");
    }

    /**
     * Attempts a real WebSocket handshake and returns the HTTP status the server
     * answered: 101 when it upgraded (the connection is then closed at once),
     * otherwise the refusal's status.
     */
    public static int handshakeStatus(int port, String pathAndQuery, Consumer<HttpHeaders> headers) {
        return httpClient(headers)
                .websocket()
                .uri("ws://127.0.0.1:" + port + pathAndQuery)
                .handle((in, out) -> Mono.just(101))
                .next()
                .onErrorResume(WebSocketClientHandshakeException.class,
                        e -> Mono.just(e.response().status().code()))
                .block(TIMEOUT);
    }

    /**
     * A client sending {@code headers}, and an {@code Origin} only if they hold one:
     * Netty's WebSocket handshaker adds {@code Origin: http://host:port} to requests
     * without it, which a browser-origin check would then judge.
     */
    private static HttpClient httpClient(Consumer<HttpHeaders> headers) {
        HttpHeaders requested = new DefaultHttpHeaders();
        headers.accept(requested);
        boolean explicitOrigin = requested.contains(HttpHeaderNames.ORIGIN);
        return HttpClient.create()
                .headers(headers)
                .doOnConnected(connection -> {
                    if (!explicitOrigin) {
                        connection.addHandlerFirst("test-strip-origin", new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                                if (msg instanceof HttpRequest request) {
                                    request.headers().remove(HttpHeaderNames.ORIGIN);
                                }
                                super.write(ctx, msg, promise);
                            }
                        });
                    }
                });
    }

    private void start(int port, String pathAndQuery, Consumer<HttpHeaders> headers, String... subprotocols) {
        WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder().maxFramePayloadLength(16 << 20);
        if (subprotocols.length > 0) {
            spec.protocols(String.join(",", subprotocols));
        }
        CountDownLatch upgraded = new CountDownLatch(1);
        connection = httpClient(headers)
                .websocket(spec.build())
                .uri("ws://127.0.0.1:" + port + pathAndQuery)
                .handle((in, out) -> {
                    subprotocol = in.headers().get("Sec-WebSocket-Protocol");
                    open.set(true);
                    upgraded.countDown();
                    in.receiveCloseStatus().subscribe(status -> closeStatus = status.code() + " " + status.reasonText());
                    Mono<Void> receive = Mono.create(sink -> {
                        Reader r = new Reader(sink::success);
                        reader = r;
                        in.receiveFrames().subscribe(r);
                    });
                    Mono<Void> send = out.sendObject(outbound.asFlux()).then().onErrorResume(e -> Mono.empty());
                    return Mono.when(receive, send).onErrorResume(e -> Mono.empty());
                })
                .doFinally(s -> {
                    open.set(false);
                    timers.dispose();
                    closed.countDown();
                    upgraded.countDown();
                })
                .subscribe(null, e -> { });
        if (!await(upgraded, TIMEOUT) || !open.get()) {
            connection.dispose();
            throw new IllegalStateException("WebSocket upgrade did not happen");
        }
    }

    /** Reads one WebSocket frame at a time, so that pausing stops reading from the socket. */
    private final class Reader extends BaseSubscriber<WebSocketFrame> {
        private final Runnable onEnd;

        Reader(Runnable onEnd) {
            this.onEnd = onEnd;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(1);
        }

        @Override
        protected void hookOnNext(WebSocketFrame frame) {
            onFrame(frame);
            if (!paused.get()) {
                request(1);
                return;
            }
            demandOwed.set(true);
            if (!paused.get() && demandOwed.compareAndSet(true, false)) {
                request(1);
            }
        }

        @Override
        protected void hookFinally(SignalType type) {
            onEnd.run();
        }
    }

    private void onFrame(WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame) && !(frame instanceof BinaryWebSocketFrame)
                && !(frame instanceof ContinuationWebSocketFrame)) {
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(frame.content());
        boolean text = frame instanceof TextWebSocketFrame;
        synchronized (decoder) {
            decoder.append(bytes);
            try {
                for (DecodeResult r = decoder.poll(); r != null; r = decoder.poll()) {
                    if (r instanceof DecodeResult.HeartBeat) {
                        heartBeats.incrementAndGet();
                    }
                    else if (r instanceof DecodeResult.Frame f) {
                        if (f.frame().command() == StompCommand.CONNECTED) {
                            session = f.frame().header("session");
                        }
                        received.add(new Received(f.frame(), text));
                    }
                }
            }
            catch (AssertionError e) {
                decodeFailure = new IllegalStateException("client could not decode server output: " + e.getMessage(), e);
            }
        }
    }

    /** The subprotocol the server selected, or null. */
    public String subprotocol() {
        return subprotocol;
    }

    /** The {@code session} header of the CONNECTED frame received, or null before. */
    public String connectedSession() {
        return session;
    }

    // ---------------------------------------------------------------- sending

    /** Sends {@code text} as one text WebSocket message. */
    public RawStompClient sendText(String text) {
        return emit(new TextWebSocketFrame(text));
    }

    /** Sends {@code bytes} as one text WebSocket message, whether or not they are UTF-8. */
    public RawStompClient sendTextBytes(byte[] bytes) {
        return emit(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }

    /** Sends {@code bytes} as one binary WebSocket message. */
    public RawStompClient sendBinary(byte[] bytes) {
        return emit(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }

    /** Sends one text WebSocket message in fragments: a non-final text frame, then continuation frames. */
    public RawStompClient sendTextFragments(String... fragments) {
        for (int i = 0; i < fragments.length; i++) {
            boolean last = i == fragments.length - 1;
            byte[] bytes = fragments[i].getBytes(StandardCharsets.UTF_8);
            emit(i == 0
                    ? new TextWebSocketFrame(last, 0, Unpooled.wrappedBuffer(bytes))
                    : new ContinuationWebSocketFrame(last, 0, Unpooled.wrappedBuffer(bytes)));
        }
        return this;
    }

    /** Encodes and sends one frame with STOMP 1.2 escaping; see {@link #send(StompFrame, StompVersion)}. */
    public RawStompClient send(StompFrame frame) {
        return send(frame, StompVersion.V1_2);
    }

    /**
     * Encodes one frame with {@code version}'s escaping and sends it as one text
     * message, or as one binary message when it is not valid UTF-8 (a text
     * WebSocket message must be).
     */
    public RawStompClient send(StompFrame frame, StompVersion version) {
        byte[] bytes = StompEncoder.encode(frame, version);
        return Utf8.isValid(bytes) ? emit(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes))) : sendBinary(bytes);
    }

    private synchronized RawStompClient emit(WebSocketFrame frame) {
        Sinks.EmitResult result = outbound.tryEmitNext(frame);
        if (result.isFailure()) {
            frame.release();
        }
        return this;
    }

    /** Sends CONNECT and returns the server's first frame (CONNECTED or ERROR); headers as for {@link #sendConnect}. */
    public StompFrame connectStomp(String... headers) {
        sendConnect(headers);
        return next();
    }

    /**
     * Sends CONNECT without waiting. Defaults {@code accept-version:1.2},
     * {@code host:localhost} and {@code heart-beat:0,0} are replaced by headers of
     * the same name in {@code headers} (names and values interleaved); a null
     * value drops the header.
     */
    public RawStompClient sendConnect(String... headers) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("accept-version", "1.2");
        all.put("host", "localhost");
        all.put("heart-beat", "0,0");
        for (int i = 0; i < headers.length; i += 2) {
            all.put(headers[i], headers[i + 1]);
        }
        StringBuilder sb = new StringBuilder("CONNECT\n");
        all.forEach((name, value) -> {
            if (value != null) {
                sb.append(name).append(':').append(value).append('\n');
            }
        });
        return sendText(sb.append("\n\0").toString());
    }

    /** Sends a frame with {@code receipt} and waits for its RECEIPT; see {@link #awaitReceipt}. */
    public void sendAndAwaitReceipt(String frameText, String receipt) {
        sendText(frameText);
        awaitReceipt(receipt);
    }

    /** SUBSCRIBE with a receipt; returns once the subscription is in place. */
    public RawStompClient subscribe(String id, String destination, String... extraHeaders) {
        String[] headers = new String[extraHeaders.length + 6];
        headers[0] = "id";
        headers[1] = id;
        headers[2] = "destination";
        headers[3] = destination;
        headers[4] = "receipt";
        headers[5] = "sub-" + id;
        System.arraycopy(extraHeaders, 0, headers, 6, extraHeaders.length);
        sendAndAwaitReceipt(Frames.frame("SUBSCRIBE", headers), "sub-" + id);
        return this;
    }

    /** DISCONNECT with a receipt, then waits for the RECEIPT and the close. */
    public void disconnect() {
        sendText(Frames.frame("DISCONNECT", "receipt", "bye"));
        awaitReceipt("bye");
        if (!awaitClosed(TIMEOUT)) {
            throw new AssertionError("the server did not close the connection after DISCONNECT");
        }
    }

    /** Sends a bare EOL heart-beat every {@code interval} until closed or {@link #stopHeartBeats()}. */
    public void startHeartBeats(Duration interval) {
        timers.add(Flux.interval(interval, interval).subscribe(t -> sendText("\n")));
    }

    public void stopHeartBeats() {
        timers.dispose();
    }

    // ---------------------------------------------------------------- receiving

    /**
     * The next frame with its message kind; null after {@code timeout}, or at once
     * when the connection is closed and every frame it brought has been read.
     */
    public Received nextReceived(Duration timeout) {
        if (decodeFailure != null) {
            throw new AssertionError(decodeFailure.getMessage());
        }
        if (!passedOver.isEmpty()) {
            return passedOver.pollFirst();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (;;) {
                boolean wasClosed = closed.getCount() == 0;
                long left = deadline - System.nanoTime();
                Received r = received.poll(Math.min(Math.max(left, 0), 50_000_000L), TimeUnit.NANOSECONDS);
                if (r != null || wasClosed || left <= 0) {
                    return r;
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The next frame, or null after {@code timeout}. */
    public StompFrame next(Duration timeout) {
        Received r = nextReceived(timeout);
        return r == null ? null : r.frame();
    }

    /** The next frame; fails if none arrives within {@link #TIMEOUT} or the connection closes first. */
    public StompFrame next() {
        StompFrame f = next(TIMEOUT);
        if (f == null) {
            throw new AssertionError(isOpen() ? "no frame within " + TIMEOUT : "connection closed with no further frame");
        }
        return f;
    }

    /** The next frame, which must have {@code command}. */
    public StompFrame expect(StompCommand command) {
        StompFrame f = next();
        if (f.command() != command) {
            throw new AssertionError("expected " + command + " but got " + describe(f));
        }
        return f;
    }

    /** The next frame, which must be a MESSAGE. */
    public StompFrame expectMessage() {
        return expect(StompCommand.MESSAGE);
    }

    /** The next frame, which must be the RECEIPT for {@code receiptId}. */
    public StompFrame expectReceipt(String receiptId) {
        StompFrame f = expect(StompCommand.RECEIPT);
        if (!receiptId.equals(f.header("receipt-id"))) {
            throw new AssertionError("expected RECEIPT " + receiptId + " but got " + describe(f));
        }
        return f;
    }

    /**
     * Waits for the RECEIPT {@code receiptId}. Other frames that arrive first (a
     * MESSAGE may precede a RECEIPT) are kept, in order, for the next reads; an
     * ERROR fails at once.
     */
    public StompFrame awaitReceipt(String receiptId) {
        List<Received> before = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                Received r = nextReceived(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (r == null) {
                    if (!isOpen()) {
                        throw new AssertionError("connection closed before RECEIPT " + receiptId);
                    }
                    break;
                }
                StompFrame f = r.frame();
                if (f.command() == StompCommand.RECEIPT && receiptId.equals(f.header("receipt-id"))) {
                    return f;
                }
                if (f.command() == StompCommand.ERROR) {
                    throw new AssertionError("expected RECEIPT " + receiptId + " but got " + describe(f));
                }
                before.add(r);
            }
            throw new AssertionError("no RECEIPT " + receiptId + " within " + TIMEOUT);
        }
        finally {
            for (int i = before.size() - 1; i >= 0; i--) {
                passedOver.addFirst(before.get(i));
            }
        }
    }

    /** Skips frames until one matches; fails if none does within {@code timeout} or before the close. */
    public StompFrame expect(Predicate<StompFrame> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> skipped = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            StompFrame f = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (f == null && !isOpen()) {
                throw new AssertionError("connection closed (WebSocket close: " + closeStatus
                        + ") with no matching frame; skipped " + skipped);
            }
            if (f != null && match.test(f)) {
                return f;
            }
            if (f != null) {
                skipped.add(describe(f));
            }
        }
        throw new AssertionError("no matching frame within " + timeout + "; skipped " + skipped);
    }

    /** Frames that arrived, without waiting. */
    public List<StompFrame> drain() {
        List<Received> out = new ArrayList<>(passedOver);
        passedOver.clear();
        received.drainTo(out);
        return out.stream().map(Received::frame).toList();
    }

    public int heartBeatsReceived() {
        return heartBeats.get();
    }

    /** Stops asking the socket for more: the server's writes back up as for a slow consumer. */
    public void pause() {
        paused.set(true);
    }

    /** Reads again after {@link #pause()}. */
    public void resume() {
        paused.set(false);
        Reader r = reader;
        if (r != null && demandOwed.compareAndSet(true, false)) {
            r.request(1);
        }
    }

    /** The status code and reason of the server's WebSocket close frame, or null if none came. */
    public String closeStatus() {
        return closeStatus;
    }

    public boolean awaitClosed(Duration timeout) {
        return await(closed, timeout);
    }

    public boolean isOpen() {
        return open.get();
    }

    /** Drops the connection without DISCONNECT (an abrupt close, as far as STOMP goes). */
    @Override
    public void close() {
        timers.dispose();
        outbound.tryEmitComplete();
        if (connection != null) {
            connection.dispose();
        }
        awaitClosed(Duration.ofSeconds(5));
    }

    public static String text(StompFrame f) {
        return new String(f.body(), StandardCharsets.UTF_8);
    }

    /** A frame as a test failure message shows it: command, headers and, for ERROR, the message. */
    public static String describe(StompFrame f) {
        return f.command() + " " + f.headers();
    }

    private static boolean await(CountDownLatch latch, Duration timeout) {
        try {
            return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
