package io.stompgate.session;

import io.stompgate.stomp.HeartBeat;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A session's three clocks: the wait for CONNECT, heart-beats in both directions
 * and the expiry of its credentials. Heart-beats use one self-rescheduling check
 * per session rather than two periodic timers: a node holds tens of thousands of
 * sessions, and every timer task costs memory. All run on the node's timer
 * scheduler, so tests drive them in virtual time.
 */
final class SessionTimers {

    /** What the timers do to their session. */
    interface Actions {
        /** Whether the session is connected (heart-beats stop when it is not). */
        boolean isConnected();

        /** Queue a heart-beat to the client. */
        void sendHeartBeat();

        /** The client has been silent for longer than {@code allowanceMs}. */
        void clientSilent(long allowanceMs);
    }

    private final Scheduler timer;
    private final Actions actions;
    private volatile long lastReadMs;
    private volatile long lastWriteMs;
    private volatile Disposable connectTimer;
    private volatile Disposable heartBeatTask;
    private volatile Disposable expiryTimer;
    private volatile boolean disposed;

    SessionTimers(Scheduler timer, Actions actions) {
        this.timer = timer;
        this.actions = actions;
        this.lastReadMs = now();
        this.lastWriteMs = lastReadMs;
    }

    /** Something arrived from the client. */
    void markRead() {
        lastReadMs = now();
    }

    /** Something was written to the client. */
    void markWritten() {
        lastWriteMs = now();
    }

    /** Runs {@code onTimeout} unless {@link #connected} is called within {@code timeout}. */
    void awaitConnect(Duration timeout, Runnable onTimeout) {
        connectTimer = Mono.delay(timeout, timer).subscribe(t -> onTimeout.run());
    }

    /** CONNECT succeeded: stops the wait for it. */
    void connected() {
        dispose(connectTimer);
    }

    /**
     * Runs {@code onExpiry} at {@code expiresAt} (at once if it is past) instead of at any
     * moment set before: a refreshed credential moves the expiry. A null {@code expiresAt}
     * cancels it.
     */
    void expireAt(Instant expiresAt, Runnable onExpiry) {
        Disposable previous = expiryTimer;
        if (expiresAt == null) {
            expiryTimer = null;
        }
        else {
            long delay = Math.max(0, expiresAt.toEpochMilli() - now());
            expiryTimer = Mono.delay(Duration.ofMillis(delay), timer).subscribe(t -> onExpiry.run());
        }
        dispose(previous);
        if (disposed) {
            dispose(expiryTimer); // the session closed meanwhile
        }
    }

    /** Starts heart-beats as negotiated; nothing when both directions are off. */
    void startHeartBeats(HeartBeat negotiated) {
        long sendMs = negotiated.sendMs();
        long receiveMs = negotiated.receiveMs();
        if (sendMs == 0 && receiveMs == 0) {
            return;
        }
        // Checking at half the send interval keeps every gap between writes within the interval.
        long tick = Math.max(1, Math.min(sendMs > 0 ? sendMs / 2 : Long.MAX_VALUE,
                receiveMs > 0 ? receiveMs : Long.MAX_VALUE));
        scheduleHeartBeatCheck(sendMs, receiveMs, tick);
    }

    private void scheduleHeartBeatCheck(long sendMs, long receiveMs, long tick) {
        heartBeatTask = timer.schedule(() -> {
            if (!actions.isConnected()) {
                return;
            }
            // Beat now if waiting for the next check could leave a gap longer than the interval.
            if (sendMs > 0 && now() - lastWriteMs + tick > sendMs) {
                actions.sendHeartBeat();
            }
            long allowance = receiveMs * SessionOptions.HEART_BEAT_TOLERANCE;
            if (receiveMs > 0 && now() - lastReadMs > allowance) {
                actions.clientSilent(allowance);
                return;
            }
            scheduleHeartBeatCheck(sendMs, receiveMs, tick);
        }, tick, TimeUnit.MILLISECONDS);
    }

    /** Stops every clock. Safe to call more than once. */
    void dispose() {
        disposed = true;
        dispose(connectTimer);
        dispose(heartBeatTask);
        dispose(expiryTimer);
    }

    private static void dispose(Disposable d) {
        if (d != null) {
            d.dispose();
        }
    }

    private long now() {
        return timer.now(TimeUnit.MILLISECONDS);
    }
}
