package io.stompgate.bench.loadtool;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;

/**
 * A publisher on node A (shard 0) sends at a fixed rate; subscribers on node B take the scheduled
 * send time from the body ({@code "<nanoTime> <seq> xxx..."}, see {@link Pacer}; System.nanoTime is
 * system-wide on Linux, so shards in other processes agree) and record the latency of messages
 * scheduled inside the window.
 */
final class Latency extends Scenario {

    private final TimedArrivals arrivals;
    private final AtomicLong sentWindow = new AtomicLong();
    private volatile Pacer pacer;
    private int subsOk, subsFailed;
    private Stomp.SendTemplate template;

    Latency(Options opts, Conn.Env env, Result result) {
        super(opts, env, result);
        this.arrivals = new TimedArrivals(result);
    }

    @Override
    void setup() throws Exception {
        template = new Stomp.SendTemplate(opts.topic, false);
        List<Integer> mine = myShare(opts.subscribers);
        int[] r = openInBatches(mine, i -> new Conn(env, i, opts.userName(i), opts.urls.get(opts.subscriberUrl), this, false),
                null, result.hist("subscribe_us"));
        subsOk = r[0];
        subsFailed = r[1];
        if (opts.shard == 0) {
            openPublisher(false);
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
        arrivals.arrived(buf, bodyStart, bodyEnd, windowStartNanos, windowEndNanos);
    }

    @Override
    void start(long startNanos) {
        openWindow(startNanos);
        if (publisher == null) {
            return;
        }
        long maxBurst = Math.max(1, (long) (opts.rate / 100)); // never more than 10 ms worth at once
        Pacer p = new Pacer(startNanos, opts.rate, maxBurst);
        pacer = p;
        Pacer.Send send = (seq, scheduled, last) -> {
            if (scheduled >= windowStartNanos && scheduled < windowEndNanos) {
                sentWindow.incrementAndGet();
            }
            byte[] body = Stomp.timestampedBody(scheduled, seq, opts.bodyBytes);
            ByteBuf b;
            if (opts.raw) {
                b = publisher.alloc().buffer(body.length);
                b.writeBytes(body);
            } else {
                b = template.encode(publisher.alloc(), 0, body);
            }
            publisher.write(b, last);
        };
        p.runOn(publisher.channel.eventLoop(), send);
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
        super.close();
    }

    @Override
    void collect() {
        result.count("subscribers_ok", subsOk);
        result.count("subscribers_failed", subsFailed);
        result.count("sent_window", sentWindow.get());
        Pacer p = pacer;
        result.count("sent_total", p == null ? 0 : p.sent());
        arrivals.collect(result);
        result.count("dropped_while_running", droppedWhileRunning.sum());
        putErrors();
    }
}
