package io.stompgate.broker;

/** Whether the broker connection can take operations now; feeds readiness. */
public enum BrokerStatus {
    /** Connected, with the node's queue and bindings in place. */
    UP,
    /** Not connected, or restoring the topology after a reconnect. */
    DOWN
}
