package io.stompgate.broker;

/** Receives the node messages of one kind. Called from broker threads; must not block. */
@FunctionalInterface
public interface NodeMessageListener {

    void onNodeMessage(NodeMessage message);
}
