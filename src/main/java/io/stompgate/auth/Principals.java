package io.stompgate.auth;

/**
 * What a principal name may be: it is an AMQP routing key on {@code stomp.user}
 * (at most 255 bytes) and appears in destinations and logs, so it is non-blank
 * and free of control characters.
 */
public final class Principals {

    static final int MAX_BYTES = 255;

    private Principals() {
    }

    /** Why {@code name} cannot be a principal, or {@code null} if it can. */
    public static String problem(String name) {
        if (name == null || name.isBlank()) {
            return "the principal is empty";
        }
        int bytes = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                return "the principal contains a control character";
            }
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return bytes > MAX_BYTES ? "the principal is longer than " + MAX_BYTES + " bytes" : null;
    }
}
