/**
 * The gateway's nodes knowing each other (docs/protocol.md §8): every node announces its
 * sessions and state over node messages of the broker SPI, keeps a table of the members it
 * hears from, and, above its fair share of the cluster's sessions, hands sessions back to the
 * load balancer at a gentle rate. Uses {@code session}, the broker SPI, {@code logging} and
 * Jackson; no Spring, never a broker implementation. {@code stomp}, {@code session} and
 * {@code broker} never use it; {@code ops} and {@code config} do.
 */
package io.stompgate.cluster;
