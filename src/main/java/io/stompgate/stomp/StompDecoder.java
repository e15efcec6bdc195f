package io.stompgate.stomp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes one frame, or one heart-beat, from the start of a byte range. Stateless
 * and thread-safe: the per-session state (buffered bytes, the negotiated version)
 * lives in {@link FrameAccumulator}. Follows STOMP 1.2 §"Augmented BNF", accepting
 * the 1.0 and 1.1 forms too.
 */
public final class StompDecoder {

    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final byte NUL = 0;
    private static final byte COLON = ':';
    private static final byte BACKSLASH = '\\';
    /** The longest command is "UNSUBSCRIBE"; with a CR, a longer first line cannot be one. */
    static final int MAX_COMMAND_LINE = 12;

    private static final String[] KNOWN_NAMES = {
        StompHeaders.DESTINATION, StompHeaders.CONTENT_TYPE, StompHeaders.CONTENT_LENGTH,
        StompHeaders.SUBSCRIPTION, StompHeaders.MESSAGE_ID, StompHeaders.RECEIPT, StompHeaders.ID,
        StompHeaders.ACK, StompHeaders.TRANSACTION, StompHeaders.ACCEPT_VERSION, StompHeaders.HEART_BEAT,
        StompHeaders.HOST, StompHeaders.LOGIN, StompHeaders.PASSCODE, StompHeaders.RECEIPT_ID,
        StompHeaders.VERSION, StompHeaders.SESSION, StompHeaders.SERVER, StompHeaders.MESSAGE,
        StompHeaders.REDELIVERED, StompHeaders.USER_NAME,
    };
    private static final byte[][] KNOWN_NAME_BYTES = Arrays.stream(KNOWN_NAMES)
            .map(s -> s.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    private StompDecoder() {
    }

    /**
     * Decodes what starts at {@code buf[from]}.
     *
     * @param escaping the negotiated version's escaping rules, or {@code null} before
     *                 CONNECT (and for 1.0), when header values are taken literally
     */
    public static DecodeResult decode(byte[] buf, int from, int to, StompVersion escaping, StompLimits limits) {
        if (from >= to) {
            return new DecodeResult.Incomplete(DecodeResult.Awaiting.LENGTH, 1);
        }
        // STOMP 1.2: EOLs between frames are heart-beats; "\r\n" counts as one EOL.
        if (buf[from] == LF) {
            return new DecodeResult.HeartBeat(from + 1);
        }
        if (buf[from] == CR) {
            if (from + 1 >= to) {
                return new DecodeResult.Incomplete(DecodeResult.Awaiting.LENGTH, 2);
            }
            return buf[from + 1] == LF
                    ? new DecodeResult.HeartBeat(from + 2)
                    : DecodeResult.Malformed.of("carriage return not followed by line feed");
        }
        int scanLimit = Math.min(to, from + limits.maxFrameBytes());

        // Command line.
        int eol = indexOf(buf, LF, from, Math.min(scanLimit, from + MAX_COMMAND_LINE + 1));
        if (eol < 0) {
            if (to - from > MAX_COMMAND_LINE || indexOf(buf, NUL, from, to) >= 0) {
                return new DecodeResult.Malformed(DecodeResult.Problem.UNKNOWN_COMMAND, "unknown command '" + printable(buf, from, Math.min(to, from + MAX_COMMAND_LINE)) + "'");
            }
            return new DecodeResult.Incomplete(DecodeResult.Awaiting.END_OF_LINE, to - from);
        }
        int commandEnd = eol > from && buf[eol - 1] == CR ? eol - 1 : eol;
        StompCommand command = StompCommand.lookup(buf, from, commandEnd);
        if (command == null) {
            return new DecodeResult.Malformed(DecodeResult.Problem.UNKNOWN_COMMAND, "unknown command '" + printable(buf, from, commandEnd) + "'");
        }
        StompVersion headerEscaping = command.escapesHeaders() && escaping != null && escaping.escapesHeaders()
                ? escaping : null;

        // Header lines, up to the empty line.
        StompHeaders.Builder headers = StompHeaders.builder();
        int contentLength = -1;
        boolean contentLengthSeen = false;
        int pos = eol + 1;
        while (true) {
            int lineEnd = indexOf(buf, LF, pos, Math.min(scanLimit, pos + limits.maxHeaderLineBytes() + 2));
            if (lineEnd < 0) {
                int pending = to - pos - (buf[to - 1] == CR ? 1 : 0); // a trailing CR may be half a CRLF
                if (pending > limits.maxHeaderLineBytes()) {
                    return DecodeResult.Malformed.of("header line longer than " + limits.maxHeaderLineBytes() + " bytes");
                }
                if (to - from > limits.maxFrameBytes()) {
                    return tooLarge(limits);
                }
                int nul = indexOf(buf, NUL, pos, to);
                if (nul >= 0) {
                    return DecodeResult.Malformed.of("NUL octet inside the headers");
                }
                return new DecodeResult.Incomplete(DecodeResult.Awaiting.END_OF_LINE, to - from);
            }
            int contentEnd = lineEnd > pos && buf[lineEnd - 1] == CR ? lineEnd - 1 : lineEnd;
            if (contentEnd - pos > limits.maxHeaderLineBytes()) {
                return DecodeResult.Malformed.of("header line longer than " + limits.maxHeaderLineBytes() + " bytes");
            }
            if (contentEnd == pos) {
                pos = lineEnd + 1;
                break;
            }
            if (headers.size() == limits.maxHeaders()) {
                return DecodeResult.Malformed.of("more than " + limits.maxHeaders() + " headers");
            }
            int colon = indexOf(buf, COLON, pos, contentEnd);
            if (colon < 0) {
                return DecodeResult.Malformed.of("header line without ':'");
            }
            if (colon == pos) {
                return DecodeResult.Malformed.of("header with an empty name");
            }
            int lineBits = 0;
            for (int i = pos; i < contentEnd; i++) {
                byte b = buf[i];
                if (b == NUL) {
                    return DecodeResult.Malformed.of("NUL octet inside the headers");
                }
                lineBits |= b;
            }
            if (lineBits < 0 && !Utf8.isValid(buf, pos, contentEnd)) {
                // Escapes are ASCII, so the raw line is valid UTF-8 exactly when its decoded name and value are.
                return DecodeResult.Malformed.of("header line is not valid UTF-8");
            }
            String name = headerName(buf, pos, colon, headerEscaping);
            if (name == null) {
                return invalidEscape(buf, pos, colon, headerEscaping);
            }
            String value = headerValue(buf, colon + 1, contentEnd, headerEscaping);
            if (value == null) {
                return invalidEscape(buf, colon + 1, contentEnd, headerEscaping);
            }
            if (!contentLengthSeen && name.equals(StompHeaders.CONTENT_LENGTH)) {
                // Repeated headers: the first one wins (STOMP 1.2 §"Repeated Header Entries").
                contentLengthSeen = true;
                contentLength = parseContentLength(value);
                if (contentLength < 0) {
                    return DecodeResult.Malformed.of("content-length is not a non-negative integer");
                }
                if ((long) (lineEnd + 1 - from) + contentLength + 2 > limits.maxFrameBytes()) {
                    return tooLarge(limits);
                }
            }
            headers.add(name, value);
            pos = lineEnd + 1;
        }

        // Body.
        int bodyStart = pos;
        int bodyEnd;
        if (contentLength >= 0) {
            bodyEnd = bodyStart + contentLength;
            if (bodyEnd >= to) {
                return new DecodeResult.Incomplete(DecodeResult.Awaiting.LENGTH, bodyEnd + 1 - from);
            }
            if (buf[bodyEnd] != NUL) {
                return DecodeResult.Malformed.of("frame body is not followed by NUL after content-length bytes");
            }
        }
        else {
            bodyEnd = indexOf(buf, NUL, bodyStart, scanLimit);
            if (bodyEnd < 0) {
                if (to - from > limits.maxFrameBytes()) {
                    return tooLarge(limits);
                }
                return new DecodeResult.Incomplete(DecodeResult.Awaiting.NUL, to - from);
            }
        }
        if (bodyEnd + 1 - from > limits.maxFrameBytes()) {
            return tooLarge(limits);
        }
        byte[] body = bodyEnd == bodyStart ? null : Arrays.copyOfRange(buf, bodyStart, bodyEnd);
        return new DecodeResult.Frame(new StompFrame(command, headers.build(), body), bodyEnd + 1);
    }

    private static DecodeResult tooLarge(StompLimits limits) {
        return new DecodeResult.Malformed(DecodeResult.Problem.FRAME_TOO_LARGE, "frame larger than " + limits.maxFrameBytes() + " bytes");
    }

    private static DecodeResult invalidEscape(byte[] buf, int from, int to, StompVersion escaping) {
        for (int i = from; i < to; i++) {
            if (buf[i] == BACKSLASH) {
                if (i + 1 >= to) {
                    return DecodeResult.Malformed.of("header ends with an incomplete escape sequence");
                }
                if (unescape(buf[i + 1], escaping) < 0) {
                    return DecodeResult.Malformed.of("undefined escape sequence '\\" + printable(buf, i + 1, i + 2) + "' in a header");
                }
                i++;
            }
        }
        return DecodeResult.Malformed.of("undefined escape sequence in a header");
    }

    /** Non-negative decimal without sign or spaces, or -1. */
    static int parseContentLength(String value) {
        int length = value.length();
        if (length == 0 || length > 10) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n > Integer.MAX_VALUE ? -1 : (int) n;
    }

    private static String headerName(byte[] buf, int from, int to, StompVersion escaping) {
        int length = to - from;
        for (int i = 0; i < KNOWN_NAME_BYTES.length; i++) {
            byte[] known = KNOWN_NAME_BYTES[i];
            if (known.length == length && Arrays.equals(known, 0, length, buf, from, to)) {
                return KNOWN_NAMES[i];
            }
        }
        return headerValue(buf, from, to, escaping);
    }

    /** Decodes UTF-8 and, in 1.1+, the escape sequences; null if an escape is undefined. */
    private static String headerValue(byte[] buf, int from, int to, StompVersion escaping) {
        int backslash = escaping == null ? -1 : indexOf(buf, BACKSLASH, from, to);
        if (backslash < 0) {
            return new String(buf, from, to - from, StandardCharsets.UTF_8);
        }
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b == BACKSLASH) {
                if (i + 1 >= to) {
                    return null;
                }
                int u = unescape(buf[++i], escaping);
                if (u < 0) {
                    return null;
                }
                out[n++] = (byte) u;
            }
            else {
                out[n++] = b;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** STOMP 1.2 §"Value Encoding"; {@code \r} was added in 1.2. Other escapes are fatal errors. */
    private static int unescape(byte b, StompVersion escaping) {
        return switch (b) {
            case 'n' -> '\n';
            case 'c' -> ':';
            case '\\' -> '\\';
            case 'r' -> escaping == StompVersion.V1_2 ? '\r' : -1;
            default -> -1;
        };
    }

    static int indexOf(byte[] buf, byte value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static String printable(byte[] buf, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to && sb.length() < 32; i++) {
            int c = buf[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return sb.toString();
    }
}
