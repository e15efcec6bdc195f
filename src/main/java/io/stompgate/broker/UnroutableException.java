package io.stompgate.broker;

/**
 * A publication that nothing receives, such as an {@code /app/<key>} message
 * with no application backend bound for the key. It is the sender's mistake
 * (or a missing deployment), not a broker failure, so sessions report it as a
 * destination error and dashboards do not show it as the broker failing.
 */
public class UnroutableException extends BrokerException {

    public UnroutableException(String message) {
        super(message);
    }
}
