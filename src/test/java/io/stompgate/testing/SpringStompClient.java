package io.stompgate.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.stompgate.stomp.Utf8;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.converter.CompositeMessageConverter;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.simp.stomp.BufferingStompDecoder;
import org.springframework.messaging.simp.stomp.ConnectionHandlingStompSession;
import org.springframework.messaging.simp.stomp.StompClientSupport;
import org.springframework.messaging.simp.stomp.StompDecoder;
import org.springframework.messaging.simp.stomp.StompEncoder;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandler;
import org.springframework.messaging.tcp.TcpConnection;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * Spring's STOMP client ({@link org.springframework.messaging.simp.stomp.DefaultStompSession},
 * the session behind {@code WebSocketStompClient}) over a Reactor Netty WebSocket.
 *
 * <p>{@code WebSocketStompClient} itself lives in {@code spring-websocket} and needs a
 * JSR-356 client (such as {@code tomcat-embed-websocket}); neither is on this
 * project's test classpath. Everything it does beyond opening the socket is in
 * {@code spring-messaging}, which is: this class does the same wiring as
 * {@code WebSocketStompClient}'s connection adapter: Spring's encoder out, its
 * buffering decoder in, and the session's heart-beat tasks on inactivity timers.
 * The STOMP behaviour under test (CONNECT, receipts, subscriptions, ACK, ERROR
 * handling) is Spring's own; so is its frame decoding, which is why this client, alone
 * of the test clients, does not read through {@link ClientFrameDecoder}.
 */
public final class SpringStompClient extends StompClientSupport implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
    private final Disposable.Composite connections = Disposables.composite();

    public SpringStompClient() {
        scheduler.setPoolSize(1);
        scheduler.setThreadNamePrefix("spring-stomp-");
        scheduler.setDaemon(true);
        scheduler.initialize();
        setTaskScheduler(scheduler);
        setDefaultHeartbeat(new long[] {0, 0});
        setReceiptTimeLimit(TIMEOUT.toMillis());
        setMessageConverter(new CompositeMessageConverter(
                List.of(new StringMessageConverter(), new ByteArrayMessageConverter())));
    }

    /**
     * Opens {@code ws://127.0.0.1:port/pathAndQuery}, sends CONNECT with
     * {@code connectHeaders} and waits for CONNECTED.
     */
    public StompSession connect(int port, String pathAndQuery, StompHeaders connectHeaders, StompSessionHandler handler) {
        ConnectionHandlingStompSession session = createSession(connectHeaders, handler);
        Disposable connection = HttpClient.create()
                .websocket(WebsocketClientSpec.builder()
                        .protocols("v12.stomp,v11.stomp,v10.stomp")
                        .maxFramePayloadLength(16 << 20)
                        .build())
                .uri("ws://127.0.0.1:" + port + pathAndQuery)
                .handle((in, out) -> {
                    WebSocketConnection tcp = new WebSocketConnection();
                    in.withConnection(c -> tcp.closer = c::dispose);
                    BufferingStompDecoder decoder = new BufferingStompDecoder(new StompDecoder(), 16 << 20);
                    session.afterConnected(tcp);
                    Mono<Void> receive = in.receiveFrames()
                            .filter(f -> f instanceof TextWebSocketFrame || f instanceof BinaryWebSocketFrame
                                    || f instanceof ContinuationWebSocketFrame)
                            .doOnNext(f -> {
                                tcp.lastReadMs = System.currentTimeMillis();
                                for (Message<byte[]> m : decoder.decode(ByteBuffer.wrap(ByteBufUtil.getBytes(f.content())))) {
                                    session.handleMessage(m);
                                }
                            })
                            .then();
                    Mono<Void> send = out.sendObject(tcp.outbound.asFlux()).then();
                    return Mono.when(receive, send)
                            .doOnError(session::handleFailure)
                            .onErrorResume(e -> Mono.empty())
                            .doFinally(s -> {
                                tcp.timers.dispose();
                                session.afterConnectionClosed();
                            });
                })
                .subscribe(null, session::afterConnectFailure);
        connections.add(connection);
        try {
            return session.getSession().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException e) {
            connection.dispose();
            throw new IllegalStateException("STOMP connect failed", e.getCause());
        }
        catch (TimeoutException e) {
            connection.dispose();
            throw new IllegalStateException("no CONNECTED within " + TIMEOUT, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Connects as {@code user} (the {@code user} query parameter of the handshake). */
    public StompSession connectAs(int port, String user, StompSessionHandler handler) {
        return connect(port, "/ws?user=" + user, new StompHeaders(), handler);
    }

    /** Drops every connection this client opened and stops its scheduler. */
    @Override
    public void close() {
        connections.dispose();
        scheduler.shutdown();
    }

    /** Blocks until {@code future} completes, failing after a timeout. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("did not complete within " + TIMEOUT, e);
        }
    }

    /** Completes with the RECEIPT's headers, or fails when Spring reports it lost. */
    public static CompletableFuture<StompHeaders> receiptOf(StompSession.Receiptable receiptable) {
        CompletableFuture<StompHeaders> receipt = new CompletableFuture<>();
        receiptable.addReceiptTask(receipt::complete);
        receiptable.addReceiptLostTask(() -> receipt.completeExceptionally(new AssertionError("receipt lost")));
        return receipt;
    }

    /** Spring's view of the socket: what {@code WebSocketStompClient} adapts a WebSocket session to. */
    private static final class WebSocketConnection implements TcpConnection<byte[]> {

        final Sinks.Many<WebSocketFrame> outbound = Sinks.many().unicast().onBackpressureBuffer();
        final Disposable.Composite timers = Disposables.composite();
        final StompEncoder encoder = new StompEncoder();
        volatile Runnable closer = () -> { };
        volatile long lastReadMs = System.currentTimeMillis();
        volatile long lastWriteMs = lastReadMs;

        @Override
        public synchronized CompletableFuture<Void> sendAsync(Message<byte[]> message) {
            byte[] bytes = encoder.encode(message);
            WebSocketFrame frame = Utf8.isValid(bytes)
                    ? new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes))
                    : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes));
            lastWriteMs = System.currentTimeMillis();
            Sinks.EmitResult result = outbound.tryEmitNext(frame);
            if (result.isFailure()) {
                frame.release();
                return CompletableFuture.failedFuture(new IllegalStateException("connection closed: " + result));
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onReadInactivity(Runnable runnable, long duration) {
            timers.add(Flux.interval(Duration.ofMillis(Math.max(1, duration / 2))).subscribe(t -> {
                if (System.currentTimeMillis() - lastReadMs > duration) {
                    runnable.run();
                }
            }));
        }

        @Override
        public void onWriteInactivity(Runnable runnable, long duration) {
            timers.add(Flux.interval(Duration.ofMillis(Math.max(1, duration / 2))).subscribe(t -> {
                if (System.currentTimeMillis() - lastWriteMs > duration) {
                    runnable.run();
                }
            }));
        }

        /** Spring closes right after writing DISCONNECT: let the queued frames go out first, then drop the socket. */
        @Override
        public void close() {
            timers.dispose();
            synchronized (this) {
                outbound.tryEmitComplete();
            }
            Mono.delay(Duration.ofSeconds(2)).subscribe(t -> closer.run());
        }
    }
}
