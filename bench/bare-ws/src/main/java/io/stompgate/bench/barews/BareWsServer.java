package io.stompgate.bench.barews;

import java.time.Duration;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The ceiling: a bare Reactor Netty WebSocket broadcast server with no protocol at all. Every text
 * message received from any client is written to every connected client (the sender too), with
 * Netty's ChannelGroup (one shared buffer, a retained duplicate per channel; flushes coalesced per
 * event-loop turn by Netty's FlushConsolidationHandler). On connect the server
 * sends the text message {@code ok}, so a client knows it is registered ("subscribed").
 *
 * <p>Usage: {@code java -jar bare-ws.jar [--port 8099] [--path /ws]}. Binds 127.0.0.1 only.
 */
public final class BareWsServer {

    public static void main(String[] args) {
        int port = 8099;
        String path = "/ws";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println("bare-ws: broadcast every text message to every client\n"
                        + "  --port N   (default 8099)\n  --path P   (default /ws)");
                return;
            }
            String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : (i + 1 < args.length ? args[++i] : "");
            String k = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            switch (k) {
                case "--port", "--server.port" -> port = Integer.parseInt(v);
                case "--path" -> path = v;
                default -> throw new IllegalArgumentException("unknown option " + k);
            }
        }
        ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
        String wsPath = path;
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(port)
                .route(routes -> routes.ws(wsPath, (in, out) -> {
                    in.withConnection(c -> {
                        // Coalesce the per-message flushes the broadcast issues into one per loop turn.
                        c.channel().pipeline().addFirst("bare-flush", new FlushConsolidationHandler(256, true));
                        clients.add(c.channel());
                    });
                    Mono<Void> hello = out.sendString(Mono.just("ok")).then();
                    Mono<Void> relay = in.receiveFrames()
                            .doOnNext(frame -> broadcast(clients, frame))
                            .then();
                    return hello.then(relay);
                }, WebsocketServerSpec.builder().maxFramePayloadLength(1 << 20).build()))
                .bindNow(Duration.ofSeconds(10));
        System.out.println("bare-ws listening on ws://127.0.0.1:" + server.port() + path);
        Runtime.getRuntime().addShutdownHook(new Thread(server::disposeNow));
        server.onDispose().block();
    }

    private static void broadcast(ChannelGroup clients, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            // The group writes a retained duplicate to each channel and releases this one at the end.
            clients.writeAndFlush(new TextWebSocketFrame(frame.content().retain()));
        }
    }
}
