/**
 * One client's STOMP session and what the node shares between sessions (registry,
 * subscriptions, destination checks): the protocol state machine, independent of
 * the WebSocket server and of the broker in use. Of ours it may use only {@code stomp}
 * and the broker SPI package {@code broker}, never {@code broker.local},
 * {@code broker.rabbitmq} or any layer above it; libraries (Reactor, Netty buffers) are fine.
 */
package io.stompgate.session;
