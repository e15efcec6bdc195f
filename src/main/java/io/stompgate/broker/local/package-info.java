/**
 * The in-JVM broker for a single node: topics, user destinations and shared queues
 * held in memory. Implements the broker SPI and may use it and {@code stomp}; like
 * every broker implementation it never uses {@code session}, {@code transport},
 * {@code config}, {@code auth} or {@code app} (what it needs is handed to it), nor the
 * RabbitMQ client.
 */
package io.stompgate.broker.local;
