package io.stompgate.bench.loadtool;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;

/**
 * Replay speed of a history topic (docs/protocol.md §7): in the set-up, a publisher (on
 * {@code --publisher-url}) sends {@code --messages} N to {@code --topic}, at most {@code --window}
 * awaiting their RECEIPT, and waits for every RECEIPT; a reader (on {@code --subscriber-url}) connects.
 * The measured part starts when the reader sends {@code SUBSCRIBE} with {@code x-stream-offset:
 * --offset} (default {@code first}) and ends when the N-th message arrives (or at {@code --duration},
 * the bound). Nobody publishes meanwhile, so every message the reader gets is a replayed one; the
 * bodies carry their sequence number, so order, gaps and duplicates are checked as they arrive.
 */
final class Replay extends Scenario {

    private final Stomp.SendTemplate template;
    private final CompletableFuture<Void> allConfirmed = new CompletableFuture<>();
    private final CompletableFuture<Void> allReplayed = new CompletableFuture<>();
    private volatile Conn reader;
    // publisher state: its event loop only
    private long sent;
    private long confirmed;
    private long publishStartNanos;
    private volatile long publishNanos;
    // reader state: its event loop only (read by collect() after the run)
    private volatile long subscribeNanos;
    private volatile long receiptNanos;
    private volatile long firstNanos;
    private volatile long lastNanos;
    private long received;
    private long expectedSeq = 1;
    private long outOfOrder;

    Replay(Options opts, Conn.Env env, Result result) {
        super(opts, env, result);
        this.template = new Stomp.SendTemplate(opts.topic, true);
    }

    @Override
    void setup() throws Exception {
        openPublisher(true);
        publishStartNanos = System.nanoTime();
        publisher.channel.eventLoop().execute(this::fill);
        long waitNs = (long) (opts.setupTimeout * 1e9);
        try {
            allConfirmed.get(waitNs, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("only " + confirmed + " of " + opts.messages + " SENDs confirmed within the setup timeout");
        }
        LoadTool.log("published " + opts.messages + " messages to " + opts.topic + " in "
                + String.format("%.1f", publishNanos / 1e9) + "s");
        Conn r = new Conn(env, 0, opts.userName(0), opts.urls.get(opts.subscriberUrl), this, false);
        reader = r;
        synchronized (all) {
            all.add(r);
        }
        r.open(env.source(0));
        r.ready.get((long) opts.connectTimeout, TimeUnit.SECONDS);
        holding = true;
    }

    @Override
    public void onConnected(Conn c) {
        c.readyNanos = System.nanoTime();
        c.ready.complete(null); // both: ready at CONNECTED; the reader subscribes in start()
    }

    @Override
    public void onReceipt(Conn c, long id) {
        if (c == publisher) {
            confirmed++;
            c.inflight--;
            if (confirmed == opts.messages) {
                publishNanos = System.nanoTime() - publishStartNanos;
                allConfirmed.complete(null);
            } else {
                fill();
            }
        } else if (receiptNanos == 0) {
            receiptNanos = System.nanoTime();
        }
    }

    /** On the publisher's event loop: keep at most --window SENDs awaiting their RECEIPT, N in all. */
    private void fill() {
        Conn p = publisher;
        boolean wrote = false;
        while (p.inflight < opts.window && sent < opts.messages) {
            p.inflight++;
            long s = ++sent;
            p.write(template.encode(p.alloc(), s, Stomp.timestampedBody(System.nanoTime(), s, opts.bodyBytes)), false);
            wrote = true;
        }
        if (wrote) {
            p.flush();
        }
    }

    @Override
    public void onMessage(Conn c, ByteBuf buf, int bodyStart, int bodyEnd) {
        if (c != reader) {
            return;
        }
        long now = System.nanoTime();
        if (received == 0) {
            firstNanos = now;
        }
        received++;
        long seq = Stomp.secondNumber(buf, bodyStart, bodyEnd);
        if (seq != expectedSeq) {
            outOfOrder++;
        }
        expectedSeq = seq + 1;
        if (received == opts.messages) {
            lastNanos = now;
            allReplayed.complete(null);
        }
    }

    @Override
    public void onError(Conn c, String message) {
        super.onError(c, message);
        allReplayed.complete(null); // nothing more will come
    }

    @Override
    void start(long startNanos) {
        Conn r = reader;
        r.channel.eventLoop().execute(() -> {
            subscribeNanos = System.nanoTime();
            r.write(Stomp.frame(r.alloc(), "SUBSCRIBE", new String[] {
                "id", "0", "destination", opts.topic, "ack", "auto", "receipt", "1", "x-stream-offset", opts.offset
            }, null), true);
        });
    }

    @Override
    boolean finished() {
        return allReplayed.isDone();
    }

    @Override
    void collect() {
        long sub = subscribeNanos;
        long last = lastNanos;
        result.count("messages", opts.messages);
        result.count("published_confirmed", confirmed);
        result.count("publish_ms", publishNanos / 1_000_000);
        result.count("replayed", received);
        result.count("out_of_order", outOfOrder);
        if (sub != 0 && receiptNanos != 0) {
            result.count("receipt_us", (receiptNanos - sub) / 1000);
        }
        if (sub != 0 && firstNanos != 0) {
            result.count("first_message_us", (firstNanos - sub) / 1000);
        }
        if (sub != 0 && last != 0) {
            result.count("replay_us", (last - sub) / 1000);
        }
        result.count("dropped_while_running", droppedWhileRunning.sum());
        putErrors();
    }
}
