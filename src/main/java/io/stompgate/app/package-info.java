/**
 * Application code running inside the gateway: handlers for SENDs to {@code /app/...}
 * and a messenger for sending to clients. Uses the broker SPI and {@code stomp}; never
 * the RabbitMQ client. The broker layer ({@code broker} and its implementations) must
 * not use it: a broker is handed a function for {@code /app} publications instead.
 */
package io.stompgate.app;
