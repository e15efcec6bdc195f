package io.stompgate.bench.loadtool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import org.HdrHistogram.Histogram;

/**
 * Many small topics: {@code --rooms} rooms ({@code --room-prefix}0, 1, ...) of {@code --room-size}
 * members, each connection a member of {@code --rooms-per-connection} rooms ({@link RoomPlan}: who is
 * where, and on which --url node). Three phases:
 *
 * <ol>
 * <li>every connection opens (CONNECT only), in a fixed shuffled order, {@code --batch} at a time;
 * <li>the subscribe phase: each connection sends its SUBSCRIBEs, each with a receipt, at most
 * {@code --subscribe-window} awaiting their RECEIPT in this process; reports subscriptions receipted
 * per second (from the first SUBSCRIBE to the last RECEIPT) and SUBSCRIBE→RECEIPT p50/p99 (what a
 * member waits before it is surely in the room), and the servers' CPU over the phase;
 * <li>every room busy: members send to their own rooms at a total of {@code --rate} msg/s, round
 * robin over the (room, member) slots in room order (message k goes to room k mod rooms), so every
 * room gets {@code rate ÷ rooms} msg/s and every member sends in turn. The body carries its scheduled
 * send time ({@link Pacer}): latency without coordinated omission, and loss (each message is due to
 * every receipted member of its room, the sender included). Delivered msg/s counts every MESSAGE
 * that arrives inside the window, whenever it was sent (a system that falls behind still delivers
 * its backlog); loss and latency count the messages sent inside the window.
 * </ol>
 * A fixed offered rate, not a receipt-paced window: every system gets the same load, so server CPU
 * per million delivered, loss and latency compare directly; a system that cannot keep up shows it as
 * loss and a growing latency rather than as a lower rate.
 */
final class Rooms extends Scenario {

    private final RoomPlan plan;
    private final String[] destinations;
    private final Conn[] conns;
    /** Per connection (mine): when each SUBSCRIBE went out (0: not sent). */
    private final long[][] subscribeSent;
    /** Per connection (mine): which SUBSCRIBEs got their RECEIPT. */
    private final boolean[][] receipted;
    private final AtomicIntegerArray outstanding;
    private final Semaphore window;
    private final LongAdder subscriptionsOk = new LongAdder();
    private final AtomicLong lastReceiptNanos = new AtomicLong();
    private final Histogram subscribeUs;
    private final TimedArrivals arrivals;
    private final AtomicLong sentWindow = new AtomicLong();
    private final LongAdder arrivedInWindow = new LongAdder();
    private final AtomicLong expectedWindow = new AtomicLong();
    private int connOk, connFailed;
    private long subscriptionsSent;
    private long subscribeNanos;
    private int[] membersOk;
    private long[] mySlots = new long[0];
    private Stomp.SendTemplate[] templates;
    private volatile Pacer pacer;
    private volatile ScheduledExecutorService ticker;
    private volatile ScheduledExecutorService keepalive;

    /** Every connection sends an EOL this often: RabbitMQ Web-STOMP closes a WebSocket idle for 60 s. */
    static final long KEEPALIVE_SECONDS = 20;

    Rooms(Options opts, Conn.Env env, Result result) {
        super(opts, env, result);
        this.plan = opts.roomPlan();
        this.destinations = new String[plan.rooms];
        for (int r = 0; r < plan.rooms; r++) {
            destinations[r] = opts.roomPrefix + r;
        }
        this.conns = new Conn[plan.connections];
        this.subscribeSent = new long[plan.connections][];
        this.receipted = new boolean[plan.connections][];
        this.outstanding = new AtomicIntegerArray(plan.connections);
        this.window = new Semaphore(opts.subscribeWindow);
        this.subscribeUs = result.hist("subscribe_us");
        this.arrivals = new TimedArrivals(result);
    }

    @Override
    void setup() throws Exception {
        List<Integer> order = plan.openOrder(myShare(plan.connections));
        for (int c : order) {
            subscribeSent[c] = new long[plan.perConnection];
            receipted[c] = new boolean[plan.perConnection];
        }
        startKeepalive();
        int[] r = openInBatches(order, i -> {
            Conn c = new Conn(env, i, opts.userName(i), opts.urls.get(plan.node(i)), this, false);
            conns[i] = c;
            return c;
        }, result.hist("connect_us"), null);
        connOk = r[0];
        connFailed = r[1];
        LoadTool.log("opened " + connOk + " connections (" + connFailed + " failed); subscribing "
                + (long) connOk * plan.perConnection + " room memberships, at most " + opts.subscribeWindow + " in flight");
        subscribeAll(order);
        holding = true;
        prepareSenders();
    }

    /**
     * A STOMP heart-beat EOL from every open connection every {@link #KEEPALIVE_SECONDS} s (the tool asks
     * for heart-beats 0,0, and EOLs between frames are always allowed): with 100,000 subscriptions the
     * subscribe phase of the slower systems lasts minutes, longer than Web-STOMP's 60 s idle timeout
     * for a connection whose turn has not come or that is done and waits for the load.
     */
    private void startKeepalive() {
        ScheduledExecutorService k = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "rooms-keepalive");
            thread.setDaemon(true);
            return thread;
        });
        keepalive = k;
        k.scheduleWithFixedDelay(() -> {
            List<Conn> copy;
            synchronized (all) {
                copy = new ArrayList<>(all);
            }
            for (Conn c : copy) {
                if (c.channel != null && c.channel.isActive() && !c.closing) {
                    c.write(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {'\n'}), true);
                }
            }
        }, KEEPALIVE_SECONDS, KEEPALIVE_SECONDS, TimeUnit.SECONDS);
    }

    /** The subscribe phase: every SUBSCRIBE of every open connection, a bounded number in flight. */
    private void subscribeAll(List<Integer> order) throws InterruptedException {
        boolean sample = !opts.child && !opts.serverPids.isEmpty();
        ProcStats.Sample[] before = sample ? sampleServers() : null;
        long start = System.nanoTime();
        long deadline = start + (long) (opts.setupTimeout * 1e9);
        boolean timedOut = false;
        outer:
        for (int idx : order) {
            Conn c = conns[idx];
            if (c == null || !c.ready.isDone() || c.ready.isCompletedExceptionally() || c.closed.isDone()) {
                continue;
            }
            for (int j = 0; j < plan.perConnection; j++) {
                if (!window.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    timedOut = true;
                    break outer;
                }
                outstanding.incrementAndGet(idx);
                subscribeSent[idx][j] = System.nanoTime();
                subscriptionsSent++;
                // Flush at the connection's last SUBSCRIBE, and before this thread could wait for a permit.
                boolean flush = j == plan.perConnection - 1 || window.availablePermits() == 0;
                c.write(Stomp.frame(c.alloc(), "SUBSCRIBE", new String[] {
                    "id", Integer.toString(j), "destination", destinations[plan.room(idx, j)], "ack", "auto",
                    "receipt", Integer.toString(j + 1)
                }, null), flush);
            }
        }
        // Wait for the RECEIPTs still on their way (all permits back), bounded by the deadline.
        if (!timedOut && !window.tryAcquire(opts.subscribeWindow, Math.max(1, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS)) {
            timedOut = true;
        } else if (!timedOut) {
            window.release(opts.subscribeWindow);
        }
        if (timedOut) {
            error("subscribe phase: setup timeout reached");
        }
        long last = lastReceiptNanos.get();
        subscribeNanos = Math.max(0, (last == 0 ? System.nanoTime() : last) - start);
        if (sample) {
            ProcStats.Sample[] after = sampleServers();
            double total = 0;
            boolean ok = true;
            for (int i = 0; i < after.length; i++) {
                if (before[i].cpuSeconds() < 0 || after[i].cpuSeconds() < 0) {
                    ok = false;
                    continue;
                }
                double d = after[i].cpuSeconds() - before[i].cpuSeconds();
                total += d;
                result.count("subscribe_cpu_ms_pid_" + opts.serverPids.get(i), Math.round(d * 1000));
            }
            result.count("subscribe_server_cpu_ms", ok ? Math.round(total * 1000) : -1);
        }
        LoadTool.log(String.format(java.util.Locale.ROOT, "subscribed %d of %d in %.1f s (%.0f/s)", subscriptionsOk.sum(),
                subscriptionsSent, subscribeNanos / 1e9, subscriptionsOk.sum() / Math.max(1e-9, subscribeNanos / 1e9)));
    }

    private ProcStats.Sample[] sampleServers() {
        ProcStats.Sample[] s = new ProcStats.Sample[opts.serverPids.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = ProcStats.sample(opts.serverPids.get(i));
        }
        return s;
    }

    /** Who sends what: my receipted (room, member) slots, in slot order; members per room. */
    private void prepareSenders() {
        membersOk = new int[plan.rooms];
        List<Long> slots = new ArrayList<>();
        for (long s = 0; s < plan.slots(); s++) {
            int c = plan.slotConnection(s);
            if (receipted[c] != null && receipted[c][plan.slotSubscription(s)]) {
                membersOk[plan.slotRoom(s)]++;
                slots.add(s);
            }
        }
        mySlots = slots.stream().mapToLong(Long::longValue).toArray();
        templates = new Stomp.SendTemplate[plan.rooms];
        for (int r = 0; r < plan.rooms; r++) {
            templates[r] = new Stomp.SendTemplate(destinations[r], false);
        }
    }

    // ------------------------------------------------------------ events

    @Override
    public void onConnected(Conn c) {
        markReady(c);
    }

    @Override
    public void onReceipt(Conn c, long id) {
        int idx = c.index;
        int j = (int) (id - 1);
        if (j < 0 || j >= plan.perConnection || subscribeSent[idx] == null || subscribeSent[idx][j] == 0
                || receipted[idx][j]) {
            return;
        }
        long now = System.nanoTime();
        receipted[idx][j] = true;
        Result.recordMicros(subscribeUs, now - subscribeSent[idx][j]);
        subscriptionsOk.increment();
        lastReceiptNanos.accumulateAndGet(now, Math::max);
        outstanding.decrementAndGet(idx);
        window.release();
    }

    @Override
    public void onMessage(Conn c, ByteBuf buf, int bodyStart, int bodyEnd) {
        long now = System.nanoTime();
        if (now >= windowStartNanos && now < windowEndNanos) {
            arrivedInWindow.increment(); // whenever it was sent: what the system delivers per second
        }
        arrivals.arrived(buf, bodyStart, bodyEnd, now, windowStartNanos, windowEndNanos);
    }

    @Override
    public void onError(Conn c, String message) {
        error(message);
        if (!c.ready.isDone()) {
            c.ready.completeExceptionally(new IllegalStateException(message));
        }
    }

    @Override
    public void onClosed(Conn c, Throwable cause) {
        super.onClosed(c, cause);
        // SUBSCRIBEs that will never be answered give their places in the window back.
        int left = outstanding.getAndSet(c.index, 0);
        if (left > 0) {
            window.release(left);
        }
    }

    // ------------------------------------------------------------ load

    @Override
    void start(long startNanos) {
        openWindow(startNanos);
        if (mySlots.length == 0) {
            return;
        }
        // This process's share of the total rate: its share of all (room, member) slots.
        double rate = opts.rate * mySlots.length / (double) plan.slots();
        Pacer p = new Pacer(startNanos, rate, Math.max(1, (long) (rate / 100)));
        pacer = p;
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "rooms-sender");
            thread.setDaemon(true);
            return thread;
        });
        ticker = t;
        boolean oneProcess = opts.shards == 1;
        Pacer.Send send = (seq, scheduled, last) -> {
            long s = mySlots[(int) ((seq - 1) % mySlots.length)];
            int room = plan.slotRoom(s);
            Conn c = conns[plan.slotConnection(s)];
            if (scheduled >= windowStartNanos && scheduled < windowEndNanos) {
                sentWindow.incrementAndGet();
                // Members in other shards are not known here: then every member counts.
                expectedWindow.addAndGet(oneProcess ? membersOk[room] : plan.roomSize);
            }
            byte[] body = Stomp.timestampedBody(scheduled, seq, opts.bodyBytes);
            c.write(templates[room].encode(c.alloc(), 0, body), true);
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
        ScheduledExecutorService k = keepalive;
        if (k != null) {
            k.shutdownNow();
        }
        super.close();
    }

    @Override
    void collect() {
        result.count("connections_ok", connOk);
        result.count("connections_failed", connFailed);
        result.count("subscriptions_sent", subscriptionsSent);
        result.count("subscriptions_ok", subscriptionsOk.sum());
        result.count("subscriptions_planned", (long) myShare(plan.connections).size() * plan.perConnection);
        result.count("subscribe_ms", subscribeNanos / 1_000_000);
        if (opts.shard == 0) {
            result.count("binds_needed", plan.roomNodePairs());
        }
        result.count("sent_window", sentWindow.get());
        result.count("expected_window", expectedWindow.get());
        Pacer p = pacer;
        result.count("sent_total", p == null ? 0 : p.sent());
        arrivals.collect(result);
        result.count("arrived_in_window", arrivedInWindow.sum());
        result.count("dropped_while_running", droppedWhileRunning.sum());
        putErrors();
    }
}
