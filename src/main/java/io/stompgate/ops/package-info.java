/**
 * Running a node in production: health, metrics (Micrometer), the graceful drain
 * on shutdown and the cluster's member table ({@code /actuator/cluster}). Uses
 * {@code session}, {@code transport}, {@code cluster}, the broker SPI and
 * {@code stomp}, with Spring Boot Actuator; never the RabbitMQ client. Neither
 * {@code stomp}, {@code session} nor the broker SPI may use it.
 */
package io.stompgate.ops;
