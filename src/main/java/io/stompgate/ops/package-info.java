/**
 * Running a node in production: health, metrics (Micrometer) and the graceful drain
 * on shutdown. Uses {@code session}, {@code transport}, the broker SPI and
 * {@code stomp}, with Spring Boot Actuator; never the RabbitMQ client. Neither
 * {@code stomp}, {@code session} nor the broker SPI may use it.
 */
package io.stompgate.ops;
