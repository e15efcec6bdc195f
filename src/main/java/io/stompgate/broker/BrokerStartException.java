package io.stompgate.broker;

/**
 * The broker refused this node for a reason that waiting cannot mend (another
 * process already owns the node's queue, say): the node must not start. The
 * message names the setting to change.
 */
public class BrokerStartException extends BrokerException {

    public BrokerStartException(String message) {
        super(message);
    }
}
