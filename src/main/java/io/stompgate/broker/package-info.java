/**
 * The broker SPI: what the session layer needs from a message broker for one node
 * ({@link io.stompgate.broker.MessageBroker}), and the values that cross it. Sessions
 * and broker implementations meet here, so of ours it may use only {@code stomp};
 * Reactor types appear in its signatures.
 */
package io.stompgate.broker;
