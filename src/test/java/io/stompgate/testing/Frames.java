package io.stompgate.testing;

/** STOMP frames as wire text, for tests that send exactly what they mean. */
public final class Frames {

    private Frames() {
    }

    /** {@code COMMAND\nname:value...\n\n\0}: a frame without a body; names and values interleaved, written as given. */
    public static String frame(String command, String... headers) {
        return frameWithBody(command, "", headers);
    }

    /** A frame with a text body and no content-length. */
    public static String frameWithBody(String command, String body, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("header names and values must come in pairs");
        }
        StringBuilder sb = new StringBuilder(command).append('\n');
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(headers[i]).append(':').append(headers[i + 1]).append('\n');
        }
        return sb.append('\n').append(body).append('\0').toString();
    }

    /** A SEND of a text body to {@code destination}. */
    public static String send(String destination, String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "destination";
        all[1] = destination;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return frameWithBody("SEND", body, all);
    }
}
