package io.stompgate.bench.loadtool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;

/**
 * Users u0..u(N-1), user i on node {@code i % nodes}; each subscribes {@code --user-subscribe} and
 * user i sends to user i+1 (so, with two nodes, always across nodes) at a total of {@code --rate}
 * msg/s, round-robin over senders. Latency from the body's scheduled send time ({@link Pacer}); loss =
 * sent - received for messages scheduled inside the window.
 */
final class UserScenario extends Scenario {

    private final TimedArrivals arrivals;
    private final AtomicLong sentWindow = new AtomicLong();
    private volatile Pacer pacer;
    private final Map<Conn, Stomp.SendTemplate> templates = new HashMap<>();
    private final List<Conn> senders = new ArrayList<>();
    private int ok, failed;
    private volatile ScheduledExecutorService ticker;

    UserScenario(Options opts, Conn.Env env, Result result) {
        super(opts, env, result);
        this.arrivals = new TimedArrivals(result);
    }

    @Override
    void setup() throws Exception {
        List<Integer> mine = myShare(opts.users);
        int[] r = openInBatches(mine, i -> new Conn(env, i, opts.userName(i), url(i), this, false),
                null, result.hist("subscribe_us"));
        ok = r[0];
        failed = r[1];
        synchronized (all) {
            for (Conn c : all) {
                if (c.ready.isDone() && !c.ready.isCompletedExceptionally()) {
                    String to = opts.userName((c.index + 1) % opts.users);
                    templates.put(c, new Stomp.SendTemplate(opts.userSend.replace("{user}", to), false));
                    senders.add(c);
                }
            }
        }
        holding = true;
    }

    @Override
    public void onConnected(Conn c) {
        c.subscribe(opts.userSubscribe, 1);
    }

    @Override
    public void onMessage(Conn c, ByteBuf buf, int bodyStart, int bodyEnd) {
        arrivals.arrived(buf, bodyStart, bodyEnd, windowStartNanos, windowEndNanos);
    }

    @Override
    void start(long startNanos) {
        openWindow(startNanos);
        if (senders.isEmpty()) {
            return;
        }
        // This shard's share of the total rate: its users' share of all users.
        double rate = opts.rate * senders.size() / (double) opts.users;
        Pacer p = new Pacer(startNanos, rate, Math.max(1, (long) (rate / 100)));
        pacer = p;
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "user-sender");
            thread.setDaemon(true);
            return thread;
        });
        ticker = t;
        int[] next = {0};
        Pacer.Send send = (seq, scheduled, last) -> {
            Conn c = senders.get(next[0]++ % senders.size());
            if (scheduled >= windowStartNanos && scheduled < windowEndNanos) {
                sentWindow.incrementAndGet();
            }
            byte[] body = Stomp.timestampedBody(scheduled, seq, opts.bodyBytes);
            c.write(templates.get(c).encode(c.alloc(), 0, body), true);
        };
        p.runOn(t, send);
    }

    /** The schedule ends with the window; what it still owes from the window goes out in the drain. */
    @Override
    void stop() {
        Pacer p = pacer;
        if (p != null) {
            p.endAt(windowEndNanos);
        }
    }

    @Override
    void close() {
        Pacer p = pacer;
        if (p != null) {
            p.cancel();
        }
        ScheduledExecutorService t = ticker;
        if (t != null) {
            t.shutdownNow();
        }
        super.close();
    }

    @Override
    void collect() {
        result.count("users_ok", ok);
        result.count("users_failed", failed);
        result.count("sent_window", sentWindow.get());
        Pacer p = pacer;
        result.count("sent_total", p == null ? 0 : p.sent());
        arrivals.collect(result);
        result.count("dropped_while_running", droppedWhileRunning.sum());
        putErrors();
    }
}
