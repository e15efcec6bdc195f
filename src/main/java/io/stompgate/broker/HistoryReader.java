package io.stompgate.broker;

/**
 * Receives a read of the history, in offset order, from a broker thread; must
 * not block. The read waits for {@code consumed} before it hands over more than
 * a window's worth, so it goes only as fast as its reader takes messages.
 */
public interface HistoryReader {

    /**
     * A retained message. A broker may begin a little before the start asked for (a
     * stream is read chunk by chunk): the reader skips what it does not want.
     *
     * @param consumed run when the message is dealt with (written, or skipped)
     */
    void onMessage(String key, long offset, BrokerMessage message, Runnable consumed);

    /** The read cannot go on (the broker went away); nothing more comes. */
    void onError(Throwable error);
}
