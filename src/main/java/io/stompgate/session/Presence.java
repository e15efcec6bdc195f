package io.stompgate.session;

import io.stompgate.broker.BrokerMessage;
import java.util.function.Consumer;

/**
 * Who subscribes to which topic, across the gateway (docs/protocol.md §9): the
 * session layer reports its sessions' subscriptions to concrete topics under
 * presence, and lets clients watch a topic's members through
 * {@code /presence/<key>}. How the nodes share it is the implementation's
 * business; the session layer only asks {@link #tracks} once per SUBSCRIBE, so
 * topics not under presence cost nothing.
 */
public interface Presence {

    /** No topic is under presence. */
    Presence NONE = new Presence() {
        @Override
        public boolean tracks(String key) {
            return false;
        }

        @Override
        public void joined(String key, String user, String sessionId) {
        }

        @Override
        public void left(String key, String user, String sessionId) {
        }

        @Override
        public Runnable watch(String key, Consumer<BrokerMessage> listener) {
            return () -> { };
        }
    };

    /** Whether subscribers of the concrete topic {@code key} (no wildcard) are tracked. */
    boolean tracks(String key);

    /** One more subscription of {@code sessionId} (of {@code user}) to the tracked topic {@code key}. */
    void joined(String key, String user, String sessionId);

    /** One subscription fewer; the session counts as gone from {@code key} with its last one. */
    void left(String key, String user, String sessionId);

    /**
     * Starts watching the tracked topic {@code key}: {@code listener} gets the snapshot at once,
     * then every join and leave, each as the MESSAGE's headers and body, in order. Called from
     * any thread; must not block. Returns what stops the watch (idempotent).
     */
    Runnable watch(String key, Consumer<BrokerMessage> listener);
}
