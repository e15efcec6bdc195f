package io.stompgate.bench.loadtool;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;

/**
 * Opens N subscribed connections in batches (each: WebSocket handshake, CONNECT, SUBSCRIBE with a
 * receipt; raw mode: the server's greeting), spread over loopback source addresses, then holds them
 * idle for the window. Connect time = until CONNECTED; subscribe time = until the SUBSCRIBE's
 * RECEIPT. The runner samples the servers' RSS before the first connection and at the end of the hold.
 *
 * <p>For a scale-out ({@code --live-path}, {@code --reconnect-on}): connections go round-robin to
 * the live nodes only, and one closed with a listed ERROR (the gateway's {@code rebalancing})
 * reconnects as the same user to the next live node and subscribes again; the result says how
 * many did, when the first and the last did (since the scenario started, and since the live set
 * last changed), how long a reconnect took, and how many sessions each node holds at the end.
 *
 * <p>With {@code --broadcasts N}: shard 0 also opens a publisher (not subscribed) on the publisher
 * URL and, during the hold, sends N SENDs to the topic, the k-th at (k + 1/2) x hold / N after the
 * hold began; each body starts with its send time ({@link System#nanoTime}, CLOCK_MONOTONIC on
 * Linux: one clock for every process on the machine, so forked shards compare it with their own
 * arrival times). Every arrival is recorded: SEND-to-arrival p50/p99 and, for one broadcast, the
 * max is the time from the SEND to the last arrival.
 */
final class Connections extends Scenario {

    private int ok, failed;
    private final LiveNodes nodes;
    private final long t0 = System.nanoTime();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder reconnectsFailed = new LongAdder();
    private final AtomicLong firstReconnectNanos = new AtomicLong();
    private final AtomicLong lastReconnectNanos = new AtomicLong();
    private volatile boolean stopping;
    private final LongAdder broadcastReceived = new LongAdder();
    private final LongAdder broadcastsSent = new LongAdder();
    private volatile Thread broadcaster;
    /** Open or opening connections per node, for least-connections balancing and the final count. */
    private final java.util.concurrent.ConcurrentHashMap<URI, java.util.concurrent.atomic.AtomicInteger> held =
            new java.util.concurrent.ConcurrentHashMap<>();

    Connections(Options opts, Conn.Env env, Result result) {
        super(opts, env, result);
        this.nodes = opts.livePath == null && opts.reconnectOn.isEmpty() ? null : new LiveNodes(opts.urls, opts.livePath);
        if (nodes != null && opts.balance.equals("least-connections")) {
            nodes.leastConnections(u -> heldOn(u).get());
        }
    }

    private java.util.concurrent.atomic.AtomicInteger heldOn(URI u) {
        return held.computeIfAbsent(u, k -> new java.util.concurrent.atomic.AtomicInteger());
    }

    /** A connection to {@code to} for user {@code i}, counted on its node until it closes. */
    private Conn newConn(int i, String user, URI to) {
        Conn c = new Conn(env, i, user, to, this, false);
        heldOn(to).incrementAndGet();
        c.closed.whenComplete((v, e) -> heldOn(to).decrementAndGet());
        return c;
    }

    @Override
    void setup() throws Exception {
        List<Integer> mine = myShare(opts.connections);
        long start = System.nanoTime();
        int[] r = openInBatches(mine, i -> newConn(i, opts.userName(i), nodes == null ? url(i) : nodes.pick()),
                result.hist("connect_us"), result.hist("subscribe_us"));
        ok = r[0];
        failed = r[1];
        result.count("open_ms", (System.nanoTime() - start) / 1_000_000);
        if (opts.broadcasts > 0 && opts.shard == 0) {
            openPublisher(false);
        }
        holding = true;
    }

    @Override
    public void onConnected(Conn c) {
        if (c == publisher) {
            markReady(c); // publishes only
            return;
        }
        c.subscribe(opts.topic, 1);
    }

    @Override
    void start(long startNanos) {
        Conn pub = publisher;
        if (pub == null || opts.broadcasts <= 0) {
            return;
        }
        long holdStart = startNanos + (long) (opts.warmup * 1e9);
        Thread t = new Thread(() -> {
            try {
                for (int k = 0; k < opts.broadcasts && !stopping; k++) {
                    long at = holdStart + (long) ((k + 0.5) * opts.duration * 1e9 / opts.broadcasts);
                    long left;
                    while ((left = at - System.nanoTime()) > 0 && !stopping) {
                        java.util.concurrent.TimeUnit.NANOSECONDS.sleep(Math.min(left, 50_000_000L));
                    }
                    if (stopping) {
                        return;
                    }
                    long seq = k;
                    pub.channel.eventLoop().execute(() -> {
                        // stamped on the publisher's event loop, just before the write
                        byte[] body = Stomp.timestampedBody(System.nanoTime(), seq, opts.bodyBytes);
                        pub.write(Stomp.frame(pub.alloc(), "SEND", new String[] {"destination", opts.topic}, body), true);
                        broadcastsSent.increment();
                    });
                    LoadTool.log("broadcast " + (k + 1) + "/" + opts.broadcasts + " sent");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "broadcaster");
        t.setDaemon(true);
        broadcaster = t;
        t.start();
    }

    @Override
    public void onMessage(Conn c, ByteBuf buf, int bodyStart, int bodyEnd) {
        long sent = Stomp.leadingNumber(buf, bodyStart, bodyEnd);
        if (opts.broadcasts > 0 && sent > 0) {
            Result.recordMicros(result.hist("broadcast_us"), System.nanoTime() - sent);
            broadcastReceived.increment();
        }
    }

    @Override
    public void onRaw(Conn c, ByteBuf content) {
        if (!c.ready.isDone()) {
            c.connectedNanos = System.nanoTime();
            c.readyNanos = c.connectedNanos;
            c.ready.complete(null);
        }
    }

    @Override
    public void onError(Conn c, String message) {
        String text = message.startsWith("ERROR ") ? message.substring(6) : message;
        if (!stopping && opts.reconnectOn.contains(text)
                && reconnects.sum() + reconnectsFailed.sum() < opts.maxReconnects) {
            // Also one not ready yet: a node may hand back a session that has just arrived.
            c.handedBack = true;
            reconnect(c, text);
            c.ready.completeExceptionally(new IllegalStateException("handed back: " + text));
            return;
        }
        super.onError(c, message);
    }

    /** Replaces {@code c}, closed by the server with {@code why}, by the same user on the next live node. */
    private void reconnect(Conn c, String why) {
        long now = System.nanoTime();
        c.closing = true; // handed back, not dropped
        firstReconnectNanos.compareAndSet(0, now);
        lastReconnectNanos.set(now);
        error("reconnected after ERROR " + why);
        URI to = nodes.pickNow();
        if (to == null) {
            reconnectsFailed.increment();
            error("no live node to reconnect to");
            return;
        }
        Conn next = newConn(c.index, c.user, to);
        next.replacesSinceNanos = now;
        synchronized (all) {
            all.remove(c);
            all.add(next);
        }
        next.ready.whenComplete((v, e) -> {
            if (e == null) {
                reconnects.increment();
                Result.recordMicros(result.hist("reconnect_us"), next.readyNanos - next.replacesSinceNanos);
            } else if (!next.handedBack) {
                reconnectsFailed.increment();
            }
        });
        next.open(env.source(c.index));
    }

    @Override
    void stop() {
        stopping = true;
        Thread t = broadcaster;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    void close() {
        stopping = true;
        if (nodes != null) {
            nodes.close();
        }
        super.close();
    }

    @Override
    void collect() {
        result.count("connections_ok", ok);
        result.count("connections_failed", failed);
        result.count("dropped_while_holding", droppedWhileRunning.sum());
        result.count("heart_beats_sent", env.heartBeatsSent.sum());
        if (opts.broadcasts > 0) {
            result.count("broadcasts_sent", broadcastsSent.sum());
            result.count("broadcast_received", broadcastReceived.sum());
        }
        if (nodes != null) {
            result.count("reconnects", reconnects.sum());
            result.count("reconnects_failed", reconnectsFailed.sum());
            long first = firstReconnectNanos.get();
            long last = lastReconnectNanos.get();
            long liveChanged = nodes.changedAtNanos();
            result.count("live_changed_ms", Math.max(0, (liveChanged - t0) / 1_000_000));
            if (first != 0) {
                result.count("first_reconnect_ms", (first - t0) / 1_000_000);
                result.count("last_reconnect_ms", (last - t0) / 1_000_000);
                result.count("last_reconnect_after_live_change_ms", (last - liveChanged) / 1_000_000);
            }
            Map<String, Integer> perNode = new TreeMap<>();
            for (URI u : opts.urls) {
                perNode.put(u.getHost() + ":" + u.getPort(), 0);
            }
            List<Conn> copy;
            synchronized (all) {
                copy = new ArrayList<>(all);
            }
            for (Conn c : copy) {
                if (c.ready.isDone() && !c.ready.isCompletedExceptionally() && !c.closed.isDone()) {
                    perNode.merge(c.uri.getHost() + ":" + c.uri.getPort(), 1, Integer::sum);
                }
            }
            StringBuilder sb = new StringBuilder();
            perNode.forEach((node, n) -> sb.append(sb.length() == 0 ? "" : " ").append(node).append('=').append(n));
            result.info("sessions_per_node", sb.toString());
        }
        putErrors();
    }
}
