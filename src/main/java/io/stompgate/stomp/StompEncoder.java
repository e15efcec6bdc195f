package io.stompgate.stomp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Writes frames in wire form. Headers are written exactly as given, in order;
 * callers that send a body add {@code content-length} themselves (every frame the
 * gateway builds does). The pieces ({@link #writeHeader} and friends) are public
 * so that a message fanned out to many subscribers can encode its shared part once.
 */
public final class StompEncoder {

    private StompEncoder() {
    }

    /** Encodes {@code frame} as {@code version} writes it, into {@code out}. */
    public static void encode(StompFrame frame, StompVersion version, ByteBuf out) {
        writeCommand(frame.command(), out);
        boolean escape = frame.command().escapesHeaders() && version.escapesHeaders();
        StompHeaders headers = frame.headers();
        for (int i = 0; i < headers.size(); i++) {
            writeHeader(headers.name(i), headers.value(i), escape ? version : null, out);
        }
        writeEndOfHeaders(out);
        writeBodyAndNul(frame.body(), out);
    }

    /** Encodes {@code frame} into a new array. */
    public static byte[] encode(StompFrame frame, StompVersion version) {
        ByteBuf out = Unpooled.buffer(estimateSize(frame));
        encode(frame, version, out);
        return ByteBufUtil.getBytes(out, out.readerIndex(), out.readableBytes(), false);
    }

    /** A size that usually fits the encoded frame, for sizing a buffer. */
    public static int estimateSize(StompFrame frame) {
        int size = 16 + frame.body().length;
        StompHeaders headers = frame.headers();
        for (int i = 0; i < headers.size(); i++) {
            size += headers.name(i).length() + headers.value(i).length() + 2;
        }
        return size;
    }

    public static void writeCommand(StompCommand command, ByteBuf out) {
        out.writeBytes(command.bytes()).writeByte('\n');
    }

    /**
     * Writes {@code name:value\n}. With {@code escaping} null (STOMP 1.0, CONNECT,
     * CONNECTED) nothing is escaped, so a line feed in a value, which would break
     * the frame, becomes a space.
     */
    public static void writeHeader(String name, String value, StompVersion escaping, ByteBuf out) {
        writeEscaped(name, escaping, out);
        out.writeByte(':');
        writeEscaped(value, escaping, out);
        out.writeByte('\n');
    }

    public static void writeEndOfHeaders(ByteBuf out) {
        out.writeByte('\n');
    }

    public static void writeBodyAndNul(byte[] body, ByteBuf out) {
        out.writeBytes(body).writeByte(0);
    }

    private static void writeEscaped(String s, StompVersion escaping, ByteBuf out) {
        if (!needsEscaping(s)) {
            ByteBufUtil.writeUtf8(out, s);
            return;
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escaping == null) {
                sb.append(c == '\n' || c == '\r' ? ' ' : c);
                continue;
            }
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case ':' -> sb.append("\\c");
                case '\r' -> sb.append(escaping == StompVersion.V1_2 ? "\\r" : " ");
                default -> sb.append(c);
            }
        }
        ByteBufUtil.writeUtf8(out, sb);
    }

    private static boolean needsEscaping(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\n' || c == ':' || c == '\r') {
                return true;
            }
        }
        return false;
    }
}
