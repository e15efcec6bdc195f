package io.stompgate.logging;

/**
 * Client-supplied text (principals, destinations inside error messages, origins)
 * as it may appear in a log line. One rule for every layer: control characters,
 * which could forge extra log lines, become {@code ?}; a double quote, which
 * would end the quoted field it sits in, becomes {@code '}; and anything longer
 * than {@link #MAX_CHARS} is cut, so a client cannot fill the log.
 */
public final class LogText {

    /** The longest text kept in a log field. */
    public static final int MAX_CHARS = 512;

    private LogText() {
    }

    /** {@code text} made safe for a log field; {@code null} stays {@code null}. */
    public static String of(String text) {
        if (text == null) {
            return null;
        }
        int length = Math.min(text.length(), MAX_CHARS);
        StringBuilder sb = null;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '"') {
                if (sb == null) {
                    sb = new StringBuilder(length + 3).append(text, 0, i);
                }
                sb.append(c == '"' ? '\'' : '?');
            }
            else if (sb != null) {
                sb.append(c);
            }
        }
        String kept = sb == null ? text.substring(0, length) : sb.toString();
        return length < text.length() ? kept + "..." : kept;
    }
}
