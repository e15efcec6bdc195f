package io.stompgate.broker;

/**
 * A message between the gateway's nodes rather than to clients: a membership
 * announcement, a presence change. Every node receives it, the sender too.
 *
 * @param kind     what it is about; each kind has one listener per node
 * @param fromNode the node id of the sender
 * @param body     the content, in the kind's own format
 */
public record NodeMessage(String kind, String fromNode, byte[] body) {
}
