/**
 * Who a client is and what it may do: the handshake's origin check and credential
 * (headers or a JWT, verified against configured keys), and the destination rules
 * for SUBSCRIBE and SEND. Uses {@code session}, {@code transport}, {@code broker} and
 * {@code stomp}, Spring WebFlux and Nimbus JOSE; never the RabbitMQ client. Nothing in
 * {@code stomp}, {@code session} or {@code broker} (SPI or implementations) may use it.
 */
package io.stompgate.auth;
