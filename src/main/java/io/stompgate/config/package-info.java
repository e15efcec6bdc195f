/**
 * Spring wiring and configuration properties: picks the broker, builds the session
 * layer, the endpoint, auth and ops from {@code gateway.*} settings. The top layer:
 * it may use every other package (the RabbitMQ client only through
 * {@code broker.rabbitmq}); {@code stomp}, {@code session} and {@code broker} never use it.
 */
package io.stompgate.config;
