package io.stompgate.stomp;

/**
 * Checks a decoded client frame against the protocol facts of its command:
 * that a client may send it, that it carries the headers its version requires
 * and a body only where one is allowed. Pure, so each rule has its own test.
 */
public final class FrameRules {

    private FrameRules() {
    }

    /**
     * Why {@code frame} may not come from a client speaking {@code version}, or
     * {@code null} if it may. Before CONNECT, pass the version the CONNECT asks
     * for or {@link StompVersion#V1_2}.
     */
    public static String violation(StompFrame frame, StompVersion version) {
        StompCommand command = frame.command();
        if (!command.isClientCommand()) {
            return command + " is a server frame and may not be sent by a client";
        }
        if (command == StompCommand.NACK && version == StompVersion.V1_0) {
            return "NACK does not exist in STOMP 1.0";
        }
        for (String required : command.requiredHeaders(version)) {
            String value = frame.header(required);
            if (value == null || value.isEmpty()) {
                return command + " frame is missing the required '" + required + "' header";
            }
        }
        if (command == StompCommand.UNSUBSCRIBE && version == StompVersion.V1_0
                && frame.header(StompHeaders.ID) == null && frame.header(StompHeaders.DESTINATION) == null) {
            return "UNSUBSCRIBE frame needs an 'id' or a 'destination' header";
        }
        if (!command.isBodyAllowed() && frame.body().length > 0) {
            return command + " frame must not have a body";
        }
        return null;
    }
}
