package io.stompgate.cluster;

/**
 * One node of the cluster as this node knows it.
 *
 * @param lastSeenMs milliseconds since this node last heard from it; 0 for this node itself
 */
public record Member(String node, int sessions, MemberState state, long lastSeenMs) {
}
