package io.stompgate.bench.loadtool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;

/**
 * A publisher on node A (shard 0) sends at a fixed rate; subscribers on node B take the send time
 * from the body ({@code "<nanoTime> <seq> xxx..."}; System.nanoTime is system-wide on Linux, so
 * shards in other processes agree) and record the latency of messages sent inside the window.
 */
final class Latency extends Scenario {

    private final Histogram latencyUs;
    private final LongAdder receivedWindow = new LongAdder();
    private final LongAdder receivedTotal = new LongAdder();
    private final AtomicLong sentWindow = new AtomicLong();
    private final AtomicLong sentTotal = new AtomicLong();
    private Conn publisher;
    private int subsOk, subsFailed;
    private volatile boolean running;
    private ScheduledFuture<?> ticker;
    private Stomp.SendTemplate template;

    Latency(Options opts, Conn.Env env, Result result) {
        super(opts, env, result);
        this.latencyUs = result.hist("latency_us");
    }

    @Override
    void setup() throws Exception {
        template = new Stomp.SendTemplate(opts.topic, false);
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < opts.subscribers; i++) {
            if (mine(i)) {
                mine.add(i);
            }
        }
        int[] r = openInBatches(mine, i -> new Conn(env, i, opts.userName(i), opts.urls.get(opts.subscriberUrl), this, false),
                null, result.hist("subscribe_us"));
        subsOk = r[0];
        subsFailed = r[1];
        if (opts.shard == 0) {
            publisher = new Conn(env, -1, opts.userPrefix + "pub", opts.urls.get(opts.publisherUrl), this, false);
            synchronized (all) {
                all.add(publisher);
            }
            publisher.open(env.source(opts.subscribers));
            try {
                publisher.ready.get((long) opts.connectTimeout, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("publisher could not connect: " + describe(e), e);
            }
        }
        holding = true;
    }

    @Override
    public void onConnected(Conn c) {
        if (c == publisher) {
            c.ready.complete(null);
        } else {
            c.subscribe(opts.topic, 1);
        }
    }

    @Override
    public void onReceipt(Conn c, long id) {
        if (!c.ready.isDone()) {
            c.readyNanos = System.nanoTime();
            c.ready.complete(null);
        }
    }

    @Override
    public void onMessage(Conn c, ByteBuf buf, int bodyStart, int bodyEnd) {
        record(buf, bodyStart, bodyEnd);
    }

    @Override
    public void onRaw(Conn c, ByteBuf content) {
        if (!c.greeted) {
            c.greeted = true;
            if (isGreeting(content)) {
                c.readyNanos = System.nanoTime();
                c.ready.complete(null);
                return;
            }
        }
        if (c != publisher) {
            record(content, content.readerIndex(), content.writerIndex());
        }
    }

    private void record(ByteBuf buf, int bodyStart, int bodyEnd) {
        long now = System.nanoTime();
        long sent = Stomp.leadingNumber(buf, bodyStart, bodyEnd);
        receivedTotal.increment();
        if (sent >= windowStartNanos && sent < windowEndNanos) {
            latencyUs.record((now - sent) / 1000);
            receivedWindow.increment();
        }
    }

    @Override
    void start(long startNanos) {
        windowStartNanos = startNanos + (long) (opts.warmup * 1e9);
        windowEndNanos = windowStartNanos + (long) (opts.duration * 1e9);
        if (publisher == null) {
            return;
        }
        running = true;
        long begin = System.nanoTime();
        double perNano = opts.rate / 1e9;
        long maxBurst = Math.max(1, (long) (opts.rate / 100)); // never more than 10 ms worth at once
        ticker = publisher.channel.eventLoop().scheduleAtFixedRate(() -> {
            if (!running) {
                return;
            }
            long now = System.nanoTime();
            long due = (long) ((now - begin) * perNano) - sentTotal.get();
            if (due > maxBurst) {
                due = maxBurst;
            }
            for (long k = 0; k < due; k++) {
                long t = System.nanoTime();
                long s = sentTotal.incrementAndGet();
                if (t >= windowStartNanos && t < windowEndNanos) {
                    sentWindow.incrementAndGet();
                }
                byte[] body = Stomp.timestampedBody(t, s, opts.bodyBytes);
                ByteBuf b;
                if (opts.raw) {
                    b = publisher.alloc().buffer(body.length);
                    b.writeBytes(body);
                } else {
                    b = template.encode(publisher.alloc(), 0, body);
                }
                publisher.write(b, k == due - 1);
            }
        }, 0, 1, TimeUnit.MILLISECONDS);
    }

    @Override
    void stop() {
        running = false;
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    @Override
    void collect() {
        result.count("subscribers_ok", subsOk);
        result.count("subscribers_failed", subsFailed);
        result.count("sent_window", sentWindow.get());
        result.count("sent_total", sentTotal.get());
        result.count("received_window", receivedWindow.sum());
        result.count("received_total", receivedTotal.sum());
        result.count("dropped_while_running", droppedWhileRunning.sum());
        putErrors();
    }
}
