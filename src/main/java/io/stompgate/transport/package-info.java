/**
 * Carries sessions over WebSocket: the Reactor Netty connection, the upgrade, frame
 * writing and back-pressure. Uses {@code session} and {@code stomp}, Netty, Reactor
 * Netty and Spring WebFlux; never the RabbitMQ client. Nothing in {@code stomp},
 * {@code session} or {@code broker} (SPI or implementations) may use it.
 */
package io.stompgate.transport;
