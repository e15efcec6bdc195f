package io.stompgate.bench.loadtool;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Just enough STOMP 1.2 for a load generator: an encoder for the few frames the tool sends and a
 * lean scanner for what it receives. The scanner finds each frame's command, the {@code
 * content-length} and {@code receipt-id} headers and the body's bounds; it copies nothing and
 * decodes no other header. A frame split over several WebSocket messages is stitched together in
 * a per-connection cumulation buffer (rare: servers send whole frames).
 */
final class Stomp {

    static final int CONNECTED = 1, MESSAGE = 2, RECEIPT = 3, ERROR = 4, OTHER = 5;

    private Stomp() {
    }

    /** Receives the frames found by {@link Decoder}. */
    interface FrameHandler {
        /**
         * @param command one of the constants above
         * @param buf the buffer holding the frame (valid only during the call)
         * @param headersStart index of the first header line
         * @param bodyStart index of the first body byte
         * @param bodyEnd index of the NUL that ends the body
         * @param receiptId the {@code receipt-id} header if it is a decimal number, else -1
         */
        void onFrame(int command, ByteBuf buf, int headersStart, int bodyStart, int bodyEnd, long receiptId);
    }

    // ---------------------------------------------------------------- encoding

    /** Encodes a frame; header values are escaped as STOMP 1.2 requires (except in CONNECT). */
    static ByteBuf frame(ByteBufAllocator alloc, String command, String[] headers, byte[] body) {
        ByteBuf buf = alloc.buffer(64 + command.length() + (body == null ? 0 : body.length) + 32 * headers.length);
        writeFrame(buf, command, headers, body);
        return buf;
    }

    static void writeFrame(ByteBuf buf, String command, String[] headers, byte[] body) {
        boolean escape = !command.equals("CONNECT") && !command.equals("CONNECTED");
        buf.writeCharSequence(command, StandardCharsets.UTF_8);
        buf.writeByte('\n');
        for (int i = 0; i + 1 < headers.length; i += 2) {
            if (headers[i + 1] == null) {
                continue;
            }
            buf.writeCharSequence(escape ? escape(headers[i]) : headers[i], StandardCharsets.UTF_8);
            buf.writeByte(':');
            buf.writeCharSequence(escape ? escape(headers[i + 1]) : headers[i + 1], StandardCharsets.UTF_8);
            buf.writeByte('\n');
        }
        if (body != null && body.length > 0) {
            buf.writeCharSequence("content-length:", StandardCharsets.US_ASCII);
            writeDecimal(buf, body.length);
            buf.writeByte('\n');
        }
        buf.writeByte('\n');
        if (body != null) {
            buf.writeBytes(body);
        }
        buf.writeByte(0);
    }

    static String escape(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case ':' -> "\\c";
                default -> null;
            };
            if (rep != null && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (rep != null) {
                    sb.append(rep);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    static void writeDecimal(ByteBuf buf, long v) {
        if (v < 0) {
            buf.writeByte('-');
            v = -v;
        }
        if (v < 10) {
            buf.writeByte('0' + (int) v);
            return;
        }
        int start = buf.writerIndex();
        while (v > 0) {
            buf.writeByte('0' + (int) (v % 10));
            v /= 10;
        }
        // reverse in place
        int i = start, j = buf.writerIndex() - 1;
        while (i < j) {
            byte a = buf.getByte(i), b = buf.getByte(j);
            buf.setByte(i++, b);
            buf.setByte(j--, a);
        }
    }

    /**
     * A pre-encoded SEND for the publishers' hot path: {@code prefix + content-length + [receipt]
     * + "\n" + body + NUL}.
     */
    static final class SendTemplate {
        private final byte[] prefix;
        private final boolean withReceipt;
        private final byte[] receiptPrefix;

        SendTemplate(String destination, boolean withReceipt, String... extraHeaders) {
            StringBuilder sb = new StringBuilder("SEND\ndestination:").append(escape(destination)).append('\n');
            for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
                sb.append(escape(extraHeaders[i])).append(':').append(escape(extraHeaders[i + 1])).append('\n');
            }
            sb.append("content-length:");
            this.prefix = sb.toString().getBytes(StandardCharsets.UTF_8);
            this.withReceipt = withReceipt;
            this.receiptPrefix = "receipt:".getBytes(StandardCharsets.US_ASCII);
        }

        ByteBuf encode(ByteBufAllocator alloc, long receipt, byte[] body) {
            ByteBuf buf = alloc.buffer(prefix.length + 24 + body.length);
            buf.writeBytes(prefix);
            writeDecimal(buf, body.length);
            buf.writeByte('\n');
            if (withReceipt) {
                buf.writeBytes(receiptPrefix);
                writeDecimal(buf, receipt);
                buf.writeByte('\n');
            }
            buf.writeByte('\n');
            buf.writeBytes(body);
            buf.writeByte(0);
            return buf;
        }
    }

    /**
     * A body of {@code length} bytes that starts with the (scheduled) send time in nanoseconds and a
     * sequence number ({@code "<nanos> <seq> "}), padded with {@code x}. Shorter bodies hold as much as
     * fits.
     */
    static byte[] timestampedBody(long nanos, long seq, int length) {
        byte[] head = (nanos + " " + seq + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[Math.max(length, head.length)];
        System.arraycopy(head, 0, body, 0, head.length);
        for (int i = head.length; i < body.length; i++) {
            body[i] = 'x';
        }
        return body;
    }

    /** Parses the leading decimal number of a body (the send time), or -1. */
    static long leadingNumber(ByteBuf buf, int from, int to) {
        long v = 0;
        int i = from;
        for (; i < to; i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            v = v * 10 + (b - '0');
        }
        return i == from ? -1 : v;
    }

    /** The second number of a body ({@code "<nanos> <seq> ..."}), or -1. */
    static long secondNumber(ByteBuf buf, int from, int to) {
        int sp = buf.indexOf(from, to, (byte) ' ');
        return sp < 0 ? -1 : leadingNumber(buf, sp + 1, to);
    }

    /**
     * How often the client must send a heart-beat, in ms (0: never), per STOMP 1.2: the client offered
     * to send every {@code cx} ms; the server's CONNECTED {@code heart-beat: sx,sy} says it wants one every
     * {@code sy} ms; with both non-zero the client sends every max(cx, sy) ms. A missing or malformed
     * header means the server wants none.
     */
    static long heartBeatSendMs(long cx, String serverHeartBeat) {
        if (cx <= 0 || serverHeartBeat == null) {
            return 0;
        }
        String[] p = serverHeartBeat.split(",");
        if (p.length != 2) {
            return 0;
        }
        long sy;
        try {
            sy = Long.parseLong(p[1].trim());
        } catch (NumberFormatException e) {
            return 0;
        }
        return sy <= 0 ? 0 : Math.max(cx, sy);
    }

    /** Slow path (errors, tests): the value of a header, unescaped, or null. */
    static String header(ByteBuf buf, int headersStart, int bodyStart, String name) {
        String all = buf.toString(headersStart, Math.max(0, bodyStart - headersStart), StandardCharsets.UTF_8);
        for (String line : all.split("\n")) {
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            int c = line.indexOf(':');
            if (c > 0 && line.substring(0, c).equals(name)) {
                return unescape(line.substring(c + 1));
            }
        }
        return null;
    }

    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 'c' -> ':';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- decoding

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECEIPT_ID = "receipt-id:".getBytes(StandardCharsets.US_ASCII);

    /** Scans frames out of WebSocket message payloads. One per connection; not thread-safe. */
    static final class Decoder {
        private final FrameHandler handler;
        private ByteBuf cumulation;

        Decoder(FrameHandler handler) {
            this.handler = handler;
        }

        /** Scans {@code in} (not released here); keeps an incomplete trailing frame for later. */
        void decode(ByteBufAllocator alloc, ByteBuf in) {
            ByteBuf buf = in;
            if (cumulation != null) {
                cumulation.writeBytes(in);
                buf = cumulation;
            }
            int consumed = scan(buf, buf.readerIndex(), buf.writerIndex());
            if (consumed < buf.writerIndex()) {
                if (cumulation == null) {
                    cumulation = alloc.heapBuffer(Math.max(256, (buf.writerIndex() - consumed) * 2));
                    cumulation.writeBytes(buf, consumed, buf.writerIndex() - consumed);
                } else {
                    cumulation.readerIndex(consumed);
                    cumulation.discardReadBytes();
                }
            } else if (cumulation != null) {
                cumulation.release();
                cumulation = null;
            }
        }

        void release() {
            if (cumulation != null) {
                cumulation.release();
                cumulation = null;
            }
        }

        /** Scans complete frames in [from, end); returns the index after the last complete frame. */
        int scan(ByteBuf buf, int from, int end) {
            int i = from;
            while (i < end) {
                byte b = buf.getByte(i);
                if (b == '\n' || b == '\r') { // heart-beat EOLs between frames
                    i++;
                    continue;
                }
                int eol = buf.indexOf(i, end, (byte) '\n');
                if (eol < 0) {
                    return i;
                }
                int command = command(buf, i, eol);
                int headersStart = eol + 1;
                int p = headersStart;
                long contentLength = -1;
                long receiptId = -1;
                boolean headersDone = false;
                while (p < end) {
                    int lineEnd = buf.indexOf(p, end, (byte) '\n');
                    if (lineEnd < 0) {
                        break;
                    }
                    int len = lineEnd - p;
                    if (len == 0 || (len == 1 && buf.getByte(p) == '\r')) {
                        p = lineEnd + 1;
                        headersDone = true;
                        break;
                    }
                    byte first = buf.getByte(p);
                    if (first == 'c' && contentLength < 0 && startsWith(buf, p, lineEnd, CONTENT_LENGTH)) {
                        contentLength = leadingNumber(buf, p + CONTENT_LENGTH.length, lineEnd);
                    } else if (first == 'r' && receiptId < 0 && startsWith(buf, p, lineEnd, RECEIPT_ID)) {
                        int vEnd = buf.getByte(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
                        int vStart = p + RECEIPT_ID.length;
                        long n = leadingNumber(buf, vStart, vEnd);
                        if (n >= 0 && digitsUntil(buf, vStart, vEnd) == vEnd) {
                            receiptId = n;
                        }
                    }
                    p = lineEnd + 1;
                }
                if (!headersDone) {
                    return i;
                }
                int bodyStart = p;
                int bodyEnd;
                if (contentLength >= 0) {
                    long e = bodyStart + contentLength;
                    if (e >= end) {
                        return i;
                    }
                    bodyEnd = (int) e;
                } else {
                    bodyEnd = buf.indexOf(bodyStart, end, (byte) 0);
                    if (bodyEnd < 0) {
                        return i;
                    }
                }
                handler.onFrame(command, buf, headersStart, bodyStart, bodyEnd, receiptId);
                i = bodyEnd + 1;
            }
            return i;
        }
    }

    private static int digitsUntil(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            i++;
        }
        return i;
    }

    private static boolean startsWith(ByteBuf buf, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (buf.getByte(from + k) != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    static int command(ByteBuf buf, int from, int eol) {
        int end = eol > from && buf.getByte(eol - 1) == '\r' ? eol - 1 : eol;
        int len = end - from;
        byte first = buf.getByte(from);
        if (first == 'M' && len == 7) {
            return MESSAGE;
        }
        if (first == 'R' && len == 7) {
            return RECEIPT;
        }
        if (first == 'C' && len == 9) {
            return CONNECTED;
        }
        if (first == 'E' && len == 5) {
            return ERROR;
        }
        return OTHER;
    }
}
