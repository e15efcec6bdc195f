package io.stompgate.broker;

/**
 * A broker operation failed: the broker refused it, or did not complete it in
 * time. The message is meant for the client's ERROR frame, so it names what
 * failed without internals.
 */
public class BrokerException extends RuntimeException {

    public BrokerException(String message) {
        super(message);
    }

    public BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
