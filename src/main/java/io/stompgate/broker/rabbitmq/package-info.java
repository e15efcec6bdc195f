/**
 * The cluster broker: every node on one RabbitMQ virtual host, over the RabbitMQ
 * Java client. Implements the broker SPI and may use it and {@code stomp}; the only
 * package that may use the RabbitMQ client ({@code com.rabbitmq}). Like every broker
 * implementation it never uses {@code session}, {@code transport}, {@code config},
 * {@code auth} or {@code app}: its options are handed to it.
 */
package io.stompgate.broker.rabbitmq;
