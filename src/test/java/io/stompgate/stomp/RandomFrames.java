package io.stompgate.stomp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random valid frames, byte streams and cuts for the property tests. Header text is
 * drawn from what survives an encode/decode round trip in the given version: escaping
 * versions get ':' '\n' '\\' (and '\r' in 1.2); 1.0, CONNECT and CONNECTED only get
 * characters that need no escaping.
 */
final class RandomFrames {

    private static final String[] KNOWN_NAMES = {
        "destination", "id", "receipt", "subscription", "message-id", "content-type", "ack", "transaction",
        "host", "login", "passcode", "heart-beat", "accept-version", "version", "receipt-id", "message",
        "session", "server", "redelivered", "user-name",
    };
    private static final int[] PLAIN =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./ *#=,;".codePoints().toArray();
    private static final int[] NON_ASCII = {0xE9, 0xDF, 0xA0, 0x416, 0x4E2D, 0x20AC, 0xFFFD, 0x1F600, 0x10348};
    private static final byte[] BODY_SPECIALS = {0, '\n', '\r', ':', '\\'};

    private RandomFrames() {
    }

    static StompVersion version(SplittableRandom rnd) {
        return StompVersion.values()[rnd.nextInt(StompVersion.values().length)];
    }

    static StompCommand command(SplittableRandom rnd) {
        return StompCommand.values()[rnd.nextInt(StompCommand.values().length)];
    }

    /** A frame {@code command} may send in {@code version}, with a body only where one is allowed. */
    static StompFrame frame(SplittableRandom rnd, StompCommand command, StompVersion version) {
        boolean escaping = command.escapesHeaders() && version.escapesHeaders();
        int[] nameSpecials = escaping ? escapedSpecials(version) : new int[] {'\\'};
        int[] valueSpecials = escaping ? escapedSpecials(version) : new int[] {':', '\\'};

        List<String[]> headers = new ArrayList<>();
        int count = rnd.nextInt(7);
        for (int i = 0; i < count; i++) {
            String name = rnd.nextInt(4) == 0
                    ? KNOWN_NAMES[rnd.nextInt(KNOWN_NAMES.length)]
                    : text(rnd, 1 + rnd.nextInt(12), nameSpecials);
            if (name.equals(StompHeaders.CONTENT_LENGTH)) {
                name = "x-" + name;
            }
            headers.add(new String[] {name, text(rnd, rnd.nextInt(25), valueSpecials)});
        }
        if (count > 0 && rnd.nextInt(5) == 0) {
            String repeated = headers.get(rnd.nextInt(count))[0];
            headers.add(new String[] {repeated, text(rnd, rnd.nextInt(25), valueSpecials)});
        }

        byte[] body = null;
        int bodyKind = command.isBodyAllowed() ? rnd.nextInt(3) : (rnd.nextInt(6) == 0 ? 3 : 0);
        if (bodyKind == 1 || bodyKind == 3) {
            body = bodyKind == 1 ? bytes(rnd, bodyLength(rnd), true) : null;
            String length = String.valueOf(body == null ? 0 : body.length);
            headers.add(rnd.nextInt(headers.size() + 1), new String[] {StompHeaders.CONTENT_LENGTH, length});
        }
        else if (bodyKind == 2) {
            body = bytes(rnd, bodyLength(rnd), false);
        }

        StompHeaders.Builder builder = StompHeaders.builder();
        headers.forEach(h -> builder.add(h[0], h[1]));
        return new StompFrame(command, builder.build(), body);
    }

    /** Encoded frames, in order, with random heart-beat EOLs before, between and after them. */
    record Stream(byte[] bytes, List<StompFrame> frames, int heartBeats) {
    }

    static Stream stream(SplittableRandom rnd, StompVersion version, int frameCount) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<StompFrame> frames = new ArrayList<>();
        int beats = heartBeats(rnd, out);
        for (int i = 0; i < frameCount; i++) {
            StompFrame frame = frame(rnd, command(rnd), version);
            frames.add(frame);
            out.writeBytes(StompEncoder.encode(frame, version));
            beats += heartBeats(rnd, out);
        }
        return new Stream(out.toByteArray(), frames, beats);
    }

    /** {@code data} cut into chunks: single bytes, a few random cuts, small random sizes, or one piece. */
    static List<byte[]> chunks(SplittableRandom rnd, byte[] data) {
        List<byte[]> chunks = new ArrayList<>();
        switch (rnd.nextInt(4)) {
            case 0 -> {
                for (byte b : data) {
                    chunks.add(new byte[] {b});
                }
            }
            case 1 -> {
                int[] cuts = rnd.ints(1 + rnd.nextInt(8), 0, data.length + 1).sorted().toArray();
                int from = 0;
                for (int cut : cuts) {
                    chunks.add(Arrays.copyOfRange(data, from, cut));
                    from = cut;
                }
                chunks.add(Arrays.copyOfRange(data, from, data.length));
            }
            case 2 -> {
                for (int from = 0; from < data.length; ) {
                    int to = Math.min(data.length, from + 1 + rnd.nextInt(32));
                    chunks.add(Arrays.copyOfRange(data, from, to));
                    from = to;
                }
            }
            default -> chunks.add(data.clone());
        }
        return chunks;
    }

    static String describe(StompFrame frame) {
        StringBuilder sb = new StringBuilder(frame.command().name()).append(' ');
        frame.headers().forEach((name, value) -> sb.append('[').append(escapeJava(name)).append(':')
                .append(escapeJava(value)).append(']'));
        return sb.append(" body=").append(frame.body().length).append(" bytes").toString();
    }

    static String escapeJava(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            }
            else {
                sb.append(String.format("\\u{%x}", c));
            }
        });
        return sb.toString();
    }

    private static int[] escapedSpecials(StompVersion version) {
        return version == StompVersion.V1_2 ? new int[] {':', '\n', '\\', '\r'} : new int[] {':', '\n', '\\'};
    }

    private static String text(SplittableRandom rnd, int length, int[] specials) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int pick = rnd.nextInt(10);
            int[] from = pick < 6 ? PLAIN : pick < 8 ? specials : NON_ASCII;
            sb.appendCodePoint(from[rnd.nextInt(from.length)]);
        }
        return sb.toString();
    }

    private static int bodyLength(SplittableRandom rnd) {
        return rnd.nextInt(10) == 0 ? rnd.nextInt(5000) : rnd.nextInt(200);
    }

    private static byte[] bytes(SplittableRandom rnd, int length, boolean nulAllowed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = rnd.nextInt(8) == 0 ? BODY_SPECIALS[rnd.nextInt(BODY_SPECIALS.length)] : (byte) rnd.nextInt(256);
            if (!nulAllowed && b[i] == 0) {
                b[i] = (byte) (1 + rnd.nextInt(255));
            }
        }
        return b;
    }

    private static int heartBeats(SplittableRandom rnd, ByteArrayOutputStream out) {
        int beats = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 0;
        for (int i = 0; i < beats; i++) {
            out.writeBytes(rnd.nextBoolean() ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
        }
        return beats;
    }
}
