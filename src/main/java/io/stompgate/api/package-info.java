/**
 * The server API over HTTP (docs/protocol.md §10): backends that do not speak AMQP
 * publish to topics and users with one HTTP call, guarded by an API key. A request
 * becomes exactly what a STOMP {@code SEND} of the same message would: the session
 * layer's destination parsing, the broker SPI's header policy and the node's frame
 * limits, then {@code MessageBroker.publish}; and they ask who is subscribed to a topic
 * ({@code presence}, docs/protocol.md §9). Of ours it may use {@code stomp}, the
 * broker SPI package {@code broker}, the session layer's destination parsing,
 * {@code presence} and {@code logging}; never a broker implementation, the transport, {@code auth} or
 * {@code config} (which wires it).
 */
package io.stompgate.api;
