package io.stompgate.session;

import io.stompgate.broker.Address;

/**
 * Decides whether an identity may subscribe to or send to an address. The
 * built-in rules of docs/protocol.md §4.6 (nobody subscribes to another user's queue,
 * nobody sends to {@code /user/queue/...}) are enforced by destination parsing
 * before this is asked; this adds the configurable rules.
 */
public interface DestinationPolicy {

    DestinationPolicy ALLOW_ALL = new DestinationPolicy() {
        @Override
        public boolean maySubscribe(Identity identity, String destination, Address address) {
            return true;
        }

        @Override
        public boolean maySend(Identity identity, String destination, Address address) {
            return true;
        }
    };

    /** {@code destination} is the client's text, which for topics may be a wildcard pattern. */
    boolean maySubscribe(Identity identity, String destination, Address address);

    boolean maySend(Identity identity, String destination, Address address);
}
