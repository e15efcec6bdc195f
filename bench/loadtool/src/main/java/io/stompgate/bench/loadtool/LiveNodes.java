package io.stompgate.bench.loadtool;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client side of a load balancer: round-robin (or fewest connections first, {@code --balance
 * least-connections}) over the {@code --url} nodes that are live. With
 * {@code --live-path P} a node is live while {@code GET http://<its host:port>P} answers 200, asked
 * every 500 ms (readiness, as a Kubernetes Service would); without it every node is. A node that
 * turns live joins the rotation at once, as a new pod joins a Service's endpoints.
 */
final class LiveNodes implements AutoCloseable {

    static final Duration PROBE_EVERY = Duration.ofMillis(500);

    private final List<URI> urls;
    private final String path;
    /** With least-connections balancing: how many connections a node holds now; else null. */
    private volatile java.util.function.ToIntFunction<URI> load;
    private final HttpClient http;
    private final AtomicInteger next = new AtomicInteger();
    private final Thread prober;
    private volatile List<URI> live;
    private volatile long changedAtNanos = System.nanoTime();
    private volatile boolean closed;

    LiveNodes(List<URI> urls, String path) {
        this.urls = List.copyOf(urls);
        this.path = path;
        if (path == null) {
            live = this.urls;
            http = null;
            prober = null;
            return;
        }
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        live = probe();
        prober = new Thread(this::probeLoop, "live-nodes");
        prober.setDaemon(true);
        prober.start();
    }

    /** Balances by fewest connections (as {@code load} counts them) instead of round-robin. */
    void leastConnections(java.util.function.ToIntFunction<URI> load) {
        this.load = load;
    }

    private URI choose(List<URI> now) {
        java.util.function.ToIntFunction<URI> l = load;
        if (l == null) {
            return now.get(Math.floorMod(next.getAndIncrement(), now.size()));
        }
        int start = Math.floorMod(next.getAndIncrement(), now.size()); // ties go round-robin
        URI best = null;
        int fewest = Integer.MAX_VALUE;
        for (int k = 0; k < now.size(); k++) {
            URI u = now.get((start + k) % now.size());
            int n = l.applyAsInt(u);
            if (n < fewest) {
                fewest = n;
                best = u;
            }
        }
        return best;
    }

    /** The next live node, round-robin; waits (bounded) for one when none is live. */
    URI pick() {
        List<URI> now = live;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (now.isEmpty() && System.nanoTime() < deadline && !closed) {
            try {
                Thread.sleep(PROBE_EVERY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = live;
        }
        if (now.isEmpty()) {
            throw new IllegalStateException("no live node among " + urls);
        }
        return choose(now);
    }

    /** The next live node, or {@code null} when none is live now; never waits (event loops call it). */
    URI pickNow() {
        List<URI> now = live;
        return now.isEmpty() ? null : choose(now);
    }

    List<URI> live() {
        return live;
    }

    /** When ({@link System#nanoTime()}) the live set last changed. */
    long changedAtNanos() {
        return changedAtNanos;
    }

    private void probeLoop() {
        while (!closed) {
            try {
                Thread.sleep(PROBE_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            List<URI> now = probe();
            if (!now.equals(live)) {
                live = now;
                changedAtNanos = System.nanoTime();
                LoadTool.log("live nodes: " + now);
            }
        }
    }

    private List<URI> probe() {
        List<URI> up = new ArrayList<>();
        for (URI u : urls) {
            URI health = URI.create("http://" + u.getHost() + ":" + u.getPort() + path);
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    up.add(u);
                }
            } catch (java.io.IOException e) {
                // not live
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return live == null ? List.of() : live;
            }
        }
        return List.copyOf(up);
    }

    @Override
    public void close() {
        closed = true;
        if (prober != null) {
            prober.interrupt();
        }
    }
}
