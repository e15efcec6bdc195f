package io.stompgate.bench.loadtool;

import java.util.List;

import io.netty.buffer.ByteBuf;

/**
 * Opens N subscribed connections in batches (each: WebSocket handshake, CONNECT, SUBSCRIBE with a
 * receipt; raw mode: the server's greeting), spread over loopback source addresses, then holds them
 * idle for the window. Connect time = until CONNECTED; subscribe time = until the SUBSCRIBE's
 * RECEIPT. The runner samples the servers' RSS before the first connection and at the end of the hold.
 */
final class Connections extends Scenario {

    private int ok, failed;

    Connections(Options opts, Conn.Env env, Result result) {
        super(opts, env, result);
    }

    @Override
    void setup() throws Exception {
        List<Integer> mine = myShare(opts.connections);
        long t0 = System.nanoTime();
        int[] r = openInBatches(mine, i -> new Conn(env, i, opts.userName(i), url(i), this, false),
                result.hist("connect_us"), result.hist("subscribe_us"));
        ok = r[0];
        failed = r[1];
        result.count("open_ms", (System.nanoTime() - t0) / 1_000_000);
        holding = true;
    }

    @Override
    public void onConnected(Conn c) {
        c.subscribe(opts.topic, 1);
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
    void collect() {
        result.count("connections_ok", ok);
        result.count("connections_failed", failed);
        result.count("dropped_while_holding", droppedWhileRunning.sum());
        putErrors();
    }
}
