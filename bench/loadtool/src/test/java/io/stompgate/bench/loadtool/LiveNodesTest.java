package io.stompgate.bench.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

/** The client-side balancer of the scale-out runs: round-robin over the nodes whose readiness answers 200. */
class LiveNodesTest {

    /** A stand-in node answering its readiness path with whatever {@code status} holds. */
    private static HttpServer node(AtomicInteger status) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ready", exchange -> {
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static URI ws(HttpServer s) {
        return URI.create("ws://127.0.0.1:" + s.getAddress().getPort() + "/ws");
    }

    @Test
    void roundRobinOverTheLiveNodesAndANodeJoinsOnceReady() throws Exception {
        AtomicInteger a = new AtomicInteger(200);
        AtomicInteger b = new AtomicInteger(200);
        AtomicInteger c = new AtomicInteger(503);
        HttpServer na = node(a);
        HttpServer nb = node(b);
        HttpServer nc = node(c);
        URI down = URI.create("ws://127.0.0.1:1/ws"); // nothing listens: never live
        try (LiveNodes nodes = new LiveNodes(List.of(ws(na), ws(nb), ws(nc), down), "/ready")) {
            List<URI> picked = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                picked.add(nodes.pick());
            }
            assertEquals(List.of(ws(na), ws(nb), ws(na), ws(nb)), picked);

            long before = nodes.changedAtNanos();
            c.set(200);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (nodes.live().size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(List.of(ws(na), ws(nb), ws(nc)), nodes.live());
            assertTrue(nodes.changedAtNanos() > before);
            List<URI> next = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                next.add(nodes.pickNow());
            }
            assertTrue(next.containsAll(List.of(ws(na), ws(nb), ws(nc))), next.toString());
        } finally {
            na.stop(0);
            nb.stop(0);
            nc.stop(0);
        }
    }

    @Test
    void leastConnectionsPicksTheNodeHoldingFewest() {
        URI x = URI.create("ws://127.0.0.1:1/ws");
        URI y = URI.create("ws://127.0.0.1:2/ws");
        URI z = URI.create("ws://127.0.0.1:3/ws");
        java.util.Map<URI, Integer> held = new java.util.HashMap<>(java.util.Map.of(x, 5, y, 2, z, 2));
        try (LiveNodes nodes = new LiveNodes(List.of(x, y, z), null)) {
            nodes.leastConnections(held::get);
            List<URI> picked = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                URI u = nodes.pick();
                picked.add(u);
                held.merge(u, 1, Integer::sum);
            }
            // y and z fill up to x's 5 first, then all three take turns.
            assertEquals(3, picked.stream().filter(y::equals).count());
            assertEquals(3, picked.stream().filter(z::equals).count());
            assertEquals(held.get(x), held.get(y));
        }
    }

    @Test
    void withoutALivePathEveryNodeIsLiveAndWithNoneLiveNothingIsPicked() throws Exception {
        URI x = URI.create("ws://127.0.0.1:1/ws");
        URI y = URI.create("ws://127.0.0.1:2/ws");
        try (LiveNodes nodes = new LiveNodes(List.of(x, y), null)) {
            assertEquals(List.of(x, y, x), List.of(nodes.pick(), nodes.pick(), nodes.pick()));
        }
        try (LiveNodes nodes = new LiveNodes(List.of(x), "/ready")) {
            assertNull(nodes.pickNow());
        }
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"fanout", "--reconnect-on",
                "rebalancing"}).resolve());
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"connections", "--live-path",
                "health"}));
    }
}
