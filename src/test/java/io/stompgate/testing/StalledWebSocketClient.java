package io.stompgate.testing;

import io.stompgate.stomp.DecodeResult;
import io.stompgate.stomp.StompFrame;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket with a tiny receive buffer that, after
 * its handshake and first frames, stops reading: the slowest consumer there is.
 * It can later read what is left, to see how the server ended the connection.
 * It reads unbuffered, so that it never takes from the socket more than the frames asked for.
 */
public final class StalledWebSocketClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final DataInputStream data;
    private final OutputStream out;
    private final ClientFrameDecoder decoder = new ClientFrameDecoder();
    private boolean endedByServer;

    public StalledWebSocketClient(int port, String pathAndQuery) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        data = new DataInputStream(in);
        out = socket.getOutputStream();
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String request = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Protocol: v12.stomp\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = readUntil("\r\n\r\n");
        if (!response.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + response.lines().findFirst().orElse(""));
        }
    }

    /** Sends one masked text frame. */
    public void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        }
        else {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /**
     * Reads WebSocket messages until they complete a STOMP frame, and returns it (heart-beats are
     * skipped); fails if the connection ends first.
     */
    public StompFrame nextFrame() throws IOException {
        for (;;) {
            DecodeResult r = decoder.poll();
            if (r instanceof DecodeResult.Frame f) {
                return f.frame();
            }
            if (r == null) {
                byte[] payload = nextDataPayload();
                if (payload == null) {
                    throw new EOFException("the server closed the WebSocket before a whole STOMP frame");
                }
                decoder.append(payload);
            }
        }
    }

    /** The payload of the next text, binary or continuation frame; null at a close frame. Pings and pongs are skipped. */
    private byte[] nextDataPayload() throws IOException {
        for (;;) {
            int first = data.readUnsignedByte();
            int second = data.readUnsignedByte();
            if ((second & 0x80) != 0) {
                throw new IOException("a server's WebSocket frame is never masked (RFC 6455 §5.1)");
            }
            long length = second & 0x7f;
            if (length == 126) {
                length = data.readUnsignedShort();
            }
            else if (length == 127) {
                length = data.readLong();
            }
            if (length > 16 << 20) {
                throw new IOException("a WebSocket frame of " + length + " bytes");
            }
            byte[] payload = new byte[(int) length];
            data.readFully(payload);
            switch (first & 0x0f) {
                case 0x0, 0x1, 0x2 -> {
                    return payload;
                }
                case 0x8 -> {
                    return null;
                }
                default -> {
                    // ping or pong: nothing for STOMP
                }
            }
        }
    }

    /** Reads raw bytes until {@code marker} has been seen; returns them as text. */
    private String readUntil(String marker) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] m = marker.getBytes(StandardCharsets.ISO_8859_1);
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            seen.write(b);
            matched = b == (m[matched] & 0xff) ? matched + 1 : (b == (m[0] & 0xff) ? 1 : 0);
            if (matched == m.length) {
                break;
            }
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads everything until the server closes the connection (or the timeout); returns it as text,
     * raw: the server may have closed in the middle of a frame it could not send.
     */
    public String readToEnd() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                all.write(buf, 0, n);
            }
            endedByServer = true;
        }
        catch (SocketTimeoutException e) {
            // timed out: what arrived so far is the answer, and the server has not closed
        }
        catch (SocketException e) {
            endedByServer = true; // reset by the server
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /** Whether {@link #readToEnd()} ended because the server closed or reset the connection, not at the read timeout. */
    public boolean endedByServer() {
        return endedByServer;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
