package io.stompgate.session;

import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.HistoryRead;
import io.stompgate.broker.HistoryReader;
import io.stompgate.broker.HistoryStart;
import io.stompgate.broker.TopicMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One subscription's way from the history to live delivery (docs/protocol.md §7.3),
 * with no gap and no duplicate by construction, not by timing.
 *
 * <p>The registry creates it under its history lock, at the node's live position
 * {@code L} (the offset of the last history message the node has dispatched; -1 if
 * none yet): from then on, every live history message for the subscription comes
 * to {@link #offerLive} and is held back. A read of the history runs from the
 * requested start. A message read is delivered while its offset is at most
 * {@code L} and below the first held-back live offset; the read ends at the first
 * offset past either, or when a live message arrives that the read has already
 * delivered. At that hand-over the held-back live messages past the last delivered
 * offset are delivered, and the subscription is live. Offsets grow along the
 * history, so "delivered by the read" and "delivered live" never overlap and never
 * leave a hole.
 *
 * <p>The subscription's RECEIPT goes out before any history message: once the first
 * message read tells whether the requested start was still retained
 * ({@code x-stream-recovered}). Held-back live messages are bounded: past
 * {@code maxHeldBack} the session is a slow consumer.
 */
final class HistoryReplay implements HistoryReader {

    /** What a replay asks of its session. */
    interface Target {
        /** The RECEIPT (if any) with {@code recovered}; then the SUBSCRIBE is done. Called once. */
        void ready(boolean recovered);

        /** Delivers one message of the subscription; {@code consumed} runs when it is written or dropped. */
        void deliver(SharedMessage message, Runnable consumed);

        /** Live messages piled up while the history was read: the client reads too slowly. */
        void tooFarBehind();

        /** The history could not be read; {@code afterReady}: after the RECEIPT went out. */
        void failed(Throwable error, boolean afterReady);
    }

    /** Makes the shared part of a MESSAGE of the subscription: destination, headers, offset. */
    @FunctionalInterface
    interface Messages {
        SharedMessage of(String key, long offset, BrokerMessage message);
    }

    private record Held(long offset, SharedMessage message) { }

    private final String pattern;
    private final HistoryStart start;
    private final long livePosition;
    private final Boolean recoveredIfKnown;
    private final int maxHeldBack;
    /** For an {@code offset=<n>} start, n: a live message below it is one the client has had. */
    private final long floor;
    private final Target target;
    private final Messages shared;
    private final Deque<Held> heldBack = new ArrayDeque<>();
    /** For {@code last}: the newest message of each concrete destination, until the hand-over. */
    private final Map<String, Held> newestPerKey = new LinkedHashMap<>();
    private HistoryRead read;
    private boolean ready;
    private volatile boolean live;
    private boolean cancelled;
    private long lastDelivered = -1;

    /**
     * @param livePosition     the node's live position when the subscription was registered
     * @param recoveredIfKnown the answer for {@code x-stream-recovered} when it does not depend on
     *                         what the read finds (a timestamp start); {@code null} otherwise
     * @param shared           makes the MESSAGE body of a read message (destination, headers, offset)
     */
    HistoryReplay(String pattern, HistoryStart start, long livePosition, Boolean recoveredIfKnown, int maxHeldBack,
            Target target, Messages shared) {
        this.pattern = pattern;
        this.start = start;
        this.livePosition = livePosition;
        this.recoveredIfKnown = recoveredIfKnown;
        this.maxHeldBack = maxHeldBack;
        this.floor = start instanceof HistoryStart.Offset o ? o.offset() : Long.MIN_VALUE;
        this.target = target;
        this.shared = shared;
    }

    /**
     * Whether a read is needed at all: not when the start lies past the node's live position, and
     * not before the node has dispatched any history message (then the history holds nothing the
     * read could hand over: everything in it comes live). Without this, a read of an empty history
     * would wait for the next message, and the RECEIPT with it.
     */
    boolean needsRead() {
        if (livePosition < 0) {
            return false;
        }
        return !(start instanceof HistoryStart.Offset offset && offset.offset() > livePosition);
    }

    /**
     * Without a read: the subscription is live at once (nothing retained lies between its start and
     * now). Recovered, except for a resume from an offset above 0 when the node has dispatched no
     * history: the messages before it are not in this history (a restarted local broker, a stream
     * deleted since), so what came after them cannot be vouched for.
     */
    synchronized void liveAtOnce() {
        boolean recovered = recoveredIfKnown != null ? recoveredIfKnown
                : !(livePosition < 0 && start instanceof HistoryStart.Offset o && o.offset() > 0);
        becomeReady(recovered);
        live = true;
    }

    /** The read started for this replay; it is cancelled at the hand-over or with the subscription. */
    synchronized void reading(HistoryRead historyRead) {
        if (cancelled || live) {
            historyRead.cancel();
        }
        else {
            this.read = historyRead;
        }
    }

    boolean isLive() {
        return live;
    }

    /**
     * A live message for the subscription, under the registry's history lock; also once live.
     *
     * @return true if the replay took it (held back, or already delivered by the read) or it lies
     *         before an {@code offset=<n>} start (a node that lags behind the one where the client
     *         saw offset n-1 dispatches those later: the client has them); false once live: the
     *         caller delivers it
     */
    boolean offerLive(long offset, SharedMessage message) {
        if (offset < floor) {
            return true;
        }
        if (live) {
            return false;
        }
        return offerWhileReading(offset, message);
    }

    private synchronized boolean offerWhileReading(long offset, SharedMessage message) {
        if (live) {
            return false;
        }
        if (cancelled) {
            return true;
        }
        if (offset <= lastDelivered) {
            handOver(); // the read has delivered this one: from now on, live
            return true;
        }
        heldBack.addLast(new Held(offset, message));
        if (heldBack.size() > maxHeldBack) {
            cancelled = true;
            heldBack.clear();
            cancelRead();
            target.tooFarBehind();
        }
        return true;
    }

    @Override
    public synchronized void onMessage(String key, long offset, BrokerMessage message, Runnable consumed) {
        if (live || cancelled) {
            consumed.run();
            return;
        }
        if (!ready) {
            becomeReady(recoveredIfKnown != null ? recoveredIfKnown
                    : !(start instanceof HistoryStart.Offset o) || offset <= o.offset());
        }
        if (start instanceof HistoryStart.Offset o && offset < o.offset() || offset <= lastDelivered) {
            consumed.run(); // the read begins with the start's whole chunk
            return;
        }
        boolean pastLive = livePosition >= 0 && offset > livePosition;
        boolean pastHeldBack = !heldBack.isEmpty() && offset >= heldBack.peekFirst().offset();
        if (pastLive || pastHeldBack) {
            consumed.run();
            handOver();
            return;
        }
        if (!TopicMatcher.matches(pattern, key)) {
            consumed.run();
        }
        else if (start instanceof HistoryStart.Last) {
            newestPerKey.remove(key);
            newestPerKey.put(key, new Held(offset, shared.of(key, offset, message)));
            consumed.run();
        }
        else {
            target.deliver(shared.of(key, offset, message), consumed);
        }
        lastDelivered = offset;
        if (offset == livePosition) {
            handOver();
        }
    }

    @Override
    public synchronized void onError(Throwable error) {
        if (!live && !cancelled) {
            cancelled = true;
            target.failed(error, ready);
        }
    }

    /** The subscription ended: stop reading. */
    synchronized void cancel() {
        cancelled = true;
        heldBack.clear();
        newestPerKey.clear();
        cancelRead();
    }

    private void becomeReady(boolean recovered) {
        if (!ready) {
            ready = true;
            target.ready(recovered);
        }
    }

    private void handOver() {
        becomeReady(true);
        if (!newestPerKey.isEmpty()) {
            List<Held> newest = new ArrayList<>(newestPerKey.values());
            newest.sort(Comparator.comparingLong(Held::offset));
            newestPerKey.clear();
            for (Held h : newest) {
                target.deliver(h.message(), () -> { });
            }
        }
        for (Held h : heldBack) {
            if (h.offset() > lastDelivered) {
                target.deliver(h.message(), () -> { });
            }
        }
        heldBack.clear();
        live = true;
        cancelRead();
    }

    private void cancelRead() {
        HistoryRead r = read;
        read = null;
        if (r != null) {
            r.cancel();
        }
    }

    /** For tests and logs. */
    @Override
    public synchronized String toString() {
        return "HistoryReplay[" + pattern + " from " + start + ", live position " + livePosition + ", live=" + live
                + ", held back " + heldBack.size() + "]";
    }
}
