package io.stompgate.bench.loadtool;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

import io.netty.buffer.ByteBuf;
import org.HdrHistogram.Histogram;

/**
 * A scenario's life: {@link #setup} opens and subscribes everything, {@link #start} begins the load
 * (warm-up), {@link #windowStart}/{@link #windowEnd} bracket the measured window, {@link #stop} ends
 * the load, {@link #collect} reports counters and histograms, {@link #close} closes everything.
 */
abstract class Scenario implements Conn.Listener {

    final Options opts;
    final Conn.Env env;
    final Result result;
    /** Window bounds on the System.nanoTime() clock (system-wide on Linux, so shards agree). */
    volatile long windowStartNanos = Long.MAX_VALUE;
    volatile long windowEndNanos = Long.MAX_VALUE;
    final List<Conn> all = new ArrayList<>();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final LongAdder droppedWhileRunning = new LongAdder();
    volatile boolean holding;
    /** The publisher, in scenarios that have one (shard 0 only). */
    volatile Conn publisher;

    Scenario(Options opts, Conn.Env env, Result result) {
        this.opts = opts;
        this.env = env;
        this.result = result;
    }

    abstract void setup() throws Exception;

    void start(long startNanos) {
    }

    void windowStart() {
    }

    void windowEnd() {
    }

    void stop() {
    }

    /** True once the scenario has done all it measures (the measured window then ends early). */
    boolean finished() {
        return false;
    }

    abstract void collect();

    boolean mine(int i) {
        return i % opts.shards == opts.shard;
    }

    /** The indexes below {@code n} that this shard handles. */
    List<Integer> myShare(int n) {
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (mine(i)) {
                mine.add(i);
            }
        }
        return mine;
    }

    /** The measured window: after the warm-up from {@code startNanos}, for the duration. */
    void openWindow(long startNanos) {
        windowStartNanos = startNanos + (long) (opts.warmup * 1e9);
        windowEndNanos = windowStartNanos + (long) (opts.duration * 1e9);
    }

    /**
     * Opens shard 0's publisher on the publisher URL and waits until it is ready; {@code receipts}:
     * its SENDs ask for them. Set before it opens, so that the listener methods already know it.
     */
    void openPublisher(boolean receipts) {
        publisher = new Conn(env, -1, opts.userPrefix + "pub", opts.urls.get(opts.publisherUrl), this, receipts);
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

    /** A connection is ready once the RECEIPT of its SUBSCRIBE comes back. */
    void markReady(Conn c) {
        if (!c.ready.isDone()) {
            c.readyNanos = System.nanoTime();
            c.ready.complete(null);
        }
    }

    void error(String what) {
        String key = what == null ? "unknown" : (what.length() > 160 ? what.substring(0, 160) : what);
        if (errors.size() < 50 || errors.containsKey(key)) {
            errors.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
    }

    // ---------------------------------------------------------------- listener defaults

    @Override
    public void onConnected(Conn c) {
    }

    @Override
    public void onReceipt(Conn c, long receiptId) {
        markReady(c);
    }

    @Override
    public void onMessage(Conn c, ByteBuf buf, int bodyStart, int bodyEnd) {
    }

    @Override
    public void onError(Conn c, String message) {
        error(message);
        c.ready.completeExceptionally(new IllegalStateException(message));
    }

    @Override
    public void onClosed(Conn c, Throwable cause) {
        if (!c.ready.isDone()) {
            c.ready.completeExceptionally(cause != null ? cause : new IllegalStateException("closed before ready"));
            error(cause != null ? describe(cause) : "closed before ready");
        } else if (holding && !c.closing) {
            droppedWhileRunning.increment();
            if (cause != null) {
                error("dropped: " + describe(cause));
            }
        }
    }

    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    // ---------------------------------------------------------------- helpers

    /** Opens connections made by {@code factory} in batches; waits for each batch to be ready. */
    int[] openInBatches(List<Integer> indexes, IntFunction<Conn> factory, Histogram connectUs, Histogram readyUs)
            throws InterruptedException {
        int ok = 0;
        int failed = 0;
        long deadline = System.nanoTime() + (long) (opts.setupTimeout * 1e9);
        for (int from = 0; from < indexes.size(); from += opts.batch) {
            List<Conn> batch = new ArrayList<>();
            for (int k = from; k < Math.min(indexes.size(), from + opts.batch); k++) {
                int i = indexes.get(k);
                Conn c = factory.apply(i);
                batch.add(c);
                synchronized (all) {
                    all.add(c);
                }
                c.open(env.source(i));
            }
            long batchDeadline = Math.min(deadline, System.nanoTime() + (long) (opts.connectTimeout * 1e9));
            for (Conn c : batch) {
                long left = batchDeadline - System.nanoTime();
                try {
                    c.ready.get(Math.max(1, left), TimeUnit.NANOSECONDS);
                    ok++;
                    if (connectUs != null && c.connectedNanos != 0) {
                        Result.recordMicros(connectUs, c.connectedNanos - c.startNanos);
                    }
                    if (readyUs != null) {
                        Result.recordMicros(readyUs, c.readyNanos - c.startNanos);
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    failed++;
                    error("timeout opening connection");
                    c.abort();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (c.handedBack) {
                        ok++; // replaced by a connection of the same user on another node
                    } else {
                        failed++;
                        c.abort();
                    }
                }
            }
            int done = from + batch.size();
            if (done % Math.max(opts.batch, 5000) == 0 || done == indexes.size()) {
                LoadTool.log("opened " + done + "/" + indexes.size() + " (ok " + ok + ", failed " + failed + ")");
            }
            if (System.nanoTime() > deadline) {
                LoadTool.log("setup timeout reached; stopping after " + done + " connections");
                failed += indexes.size() - done;
                break;
            }
            if (opts.batchPauseMs > 0) {
                Thread.sleep(opts.batchPauseMs);
            }
        }
        return new int[] {ok, failed};
    }

    /** Closes every connection and waits (bounded) for them to go. */
    void close() {
        List<Conn> copy;
        synchronized (all) {
            copy = new ArrayList<>(all);
        }
        holding = false;
        for (Conn c : copy) {
            c.close();
        }
        CompletableFuture<?>[] fs = copy.stream().map(c -> c.closed).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(fs).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            for (Conn c : copy) {
                if (!c.closed.isDone()) {
                    c.abort();
                }
            }
        }
    }

    void putErrors() {
        StringBuilder sb = new StringBuilder();
        errors.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " | ").append(v.sum()).append("x ").append(k));
        result.info("errors", sb.toString());
    }

    URI url(int i) {
        return opts.urls.get(i % opts.urls.size());
    }

    static byte[] fixedBody(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + (i % 26));
        }
        return b;
    }

    static boolean isGreeting(ByteBuf content) {
        return content.readableBytes() == 2 && content.toString(StandardCharsets.US_ASCII).equals("ok");
    }

}
