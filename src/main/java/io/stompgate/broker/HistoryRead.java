package io.stompgate.broker;

/** A read of the history under way. */
@FunctionalInterface
public interface HistoryRead {

    /** Stops the read; nothing more reaches its reader. Idempotent. */
    void cancel();
}
