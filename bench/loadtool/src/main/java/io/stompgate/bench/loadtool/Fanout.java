package io.stompgate.bench.loadtool;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import org.HdrHistogram.Histogram;

/**
 * N subscribers on one topic spread over the nodes; one publisher (shard 0) keeps at most
 * {@code --window} SENDs awaiting their RECEIPT (raw mode: its own echo) and sends the next one as
 * each confirmation arrives, i.e. at the highest rate the server accepts.
 */
final class Fanout extends Scenario {

    private final LongAdder delivered = new LongAdder();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong confirmed = new AtomicLong();
    private long deliveredAtStart, publishedAtStart, confirmedAtStart;
    private long deliveredAtEnd, publishedAtEnd, confirmedAtEnd;
    private int subsOk, subsFailed;
    private volatile boolean running;
    private final byte[] body;
    private final Stomp.SendTemplate template;
    private long seq;
    private final boolean echo;
    private long rateStartNanos;
    private boolean refillScheduled;

    Fanout(Options opts, Conn.Env env, Result result) {
        super(opts, env, result);
        this.body = fixedBody(opts.bodyBytes);
        this.echo = opts.pace.equals("echo") && !opts.raw;
        this.template = new Stomp.SendTemplate(opts.topic, !echo);
    }

    @Override
    void setup() throws Exception {
        List<Integer> mine = myShare(opts.subscribers);
        Histogram ready = result.hist("subscribe_us");
        int[] r = openInBatches(mine, i -> new Conn(env, i, opts.userName(i), url(i), this, false), null, ready);
        subsOk = r[0];
        subsFailed = r[1];
        if (opts.shard == 0) {
            openPublisher(true);
        }
        holding = true;
    }

    // ------------------------------------------------------------ events

    @Override
    public void onConnected(Conn c) {
        if (c == publisher && !echo) {
            c.readyNanos = System.nanoTime();
            c.ready.complete(null);
        } else {
            c.subscribe(opts.topic, 1);
        }
    }

    @Override
    public void onReceipt(Conn c, long id) {
        if (c == publisher && c.ready.isDone()) {
            confirmed.incrementAndGet();
            c.inflight--;
            fill();
        } else {
            markReady(c);
        }
    }

    @Override
    public void onMessage(Conn c, ByteBuf buf, int bodyStart, int bodyEnd) {
        if (c == publisher) { // --pace echo: delivered back to the publisher
            confirmed.incrementAndGet();
            c.inflight--;
            fill();
            return;
        }
        delivered.increment();
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
        if (c == publisher) {
            confirmed.incrementAndGet();
            c.inflight--;
            fill();
        } else {
            delivered.increment();
        }
    }

    @Override
    public void onError(Conn c, String message) {
        super.onError(c, message);
        if (c == publisher) {
            running = false;
        }
    }

    /** On the publisher's event loop: top the window up. */
    private void fill() {
        Conn p = publisher;
        if (!running || p == null) {
            return;
        }
        long allowed = Long.MAX_VALUE;
        if (opts.maxRate > 0) {
            allowed = (long) ((System.nanoTime() - rateStartNanos) * opts.maxRate / 1e9) - published.get();
            if (allowed <= 0) {
                if (!refillScheduled) {
                    refillScheduled = true;
                    p.channel.eventLoop().schedule(() -> {
                        refillScheduled = false;
                        fill();
                    }, 1, TimeUnit.MILLISECONDS);
                }
                return;
            }
        }
        boolean wrote = false;
        while (p.inflight < opts.window && allowed-- > 0) {
            p.inflight++;
            published.incrementAndGet();
            long s = ++seq;
            if (opts.raw) {
                ByteBuf b = p.alloc().buffer(body.length);
                b.writeBytes(body);
                p.write(b, false);
            } else {
                p.write(template.encode(p.alloc(), s, body), false);
            }
            wrote = true;
        }
        if (wrote) {
            p.flush();
        }
    }

    @Override
    void start(long startNanos) {
        if (publisher != null) {
            running = true;
            rateStartNanos = System.nanoTime();
            publisher.channel.eventLoop().execute(this::fill);
        }
    }

    @Override
    void windowStart() {
        deliveredAtStart = delivered.sum();
        publishedAtStart = published.get();
        confirmedAtStart = confirmed.get();
    }

    @Override
    void windowEnd() {
        deliveredAtEnd = delivered.sum();
        publishedAtEnd = published.get();
        confirmedAtEnd = confirmed.get();
    }

    @Override
    void stop() {
        running = false;
    }

    @Override
    void collect() {
        result.count("subscribers_ok", subsOk);
        result.count("subscribers_failed", subsFailed);
        result.count("published_window", publishedAtEnd - publishedAtStart);
        result.count("confirmed_window", confirmedAtEnd - confirmedAtStart);
        result.count("delivered_window", deliveredAtEnd - deliveredAtStart);
        result.count("published_total", published.get());
        result.count("delivered_total", delivered.sum());
        result.count("dropped_while_running", droppedWhileRunning.sum());
        putErrors();
    }

}
