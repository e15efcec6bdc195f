/**
 * Presence (docs/protocol.md §9): who subscribes to which topic under
 * {@code gateway.presence.destinations}, merged across the gateway's nodes from
 * node messages (deltas as they happen, digests so that a node that missed a
 * delta converges and a silent node's users expire). It implements the session
 * layer's {@code Presence} hook; of ours it may use only {@code session} (that
 * hook), the broker SPI {@code broker}, {@code stomp} and {@code logging} —
 * never a broker implementation, transport or configuration.
 */
package io.stompgate.presence;
