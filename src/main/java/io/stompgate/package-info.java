/**
 * A STOMP-over-WebSocket gateway node. The layers, lowest first: {@code stomp}
 * (the codec), {@code broker} (the SPI) with its implementations {@code broker.local}
 * and {@code broker.rabbitmq}, {@code session}, {@code cluster} (membership and
 * rebalancing, on the session registry), then {@code transport}, {@code auth},
 * {@code app} and {@code ops}, all wired by {@code config}. A layer never uses one
 * above it; each package's own {@code package-info} says what it may use, and
 * {@code ArchitectureTest} checks that on the compiled classes.
 */
package io.stompgate;
