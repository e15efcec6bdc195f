package io.stompgate.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.stompgate.stomp.DecodeResult;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompVersion;
import io.stompgate.testing.ClientFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Drives one {@link StompSession} as a client would, without a network: frames
 * go in as byte chunks through a {@link Sinks.Many}, and what the session writes
 * comes out of {@link #outbound()} encoded (into pooled buffers, released at once)
 * and decoded again, so tests see exactly the bytes a client would get.
 */
final class TestClient {

    final StompSession session;
    private final SessionHarness harness;
    private final Sinks.Many<byte[]> inbound = Sinks.many().unicast().onBackpressureBuffer();
    private final ClientFrameDecoder decoder = new ClientFrameDecoder();
    private final List<Sent> received = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean readingEnded;
    private volatile Throwable readingError;

    TestClient(SessionHarness harness, StompSession session) {
        this.harness = harness;
        this.session = session;
        session.receive(inbound.asFlux()).subscribe(null, e -> readingError = e, () -> readingEnded = true);
    }

    /**
     * What the session writes, decoded; a session's outbound takes one subscriber. Like the
     * WebSocket transport, ends the inbound stream once the outbound is done.
     */
    Flux<Sent> outbound() {
        return session.outbound().map(this::decode).doFinally(signal -> inbound.tryEmitComplete());
    }

    /** Subscribes to the outbound with unbounded demand and returns the live list of what arrives. */
    List<Sent> collect() {
        outbound().subscribe();
        return received;
    }

    /** Every item decoded so far, whoever subscribed. */
    List<Sent> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    int receivedCount() {
        return received.size();
    }

    /** Whether {@link StompSession#receive} has completed (it never errors: errors become ERROR frames). */
    boolean readingEnded() {
        if (readingError != null) {
            throw new AssertionError("receive() signalled an error", readingError);
        }
        return readingEnded;
    }

    // ------------------------------------------------------------------ sending

    TestClient connect() {
        return send(StompCommand.CONNECT, "accept-version", "1.2", "host", "localhost");
    }

    /** CONNECT asking for 1.2 plus {@code headers}. */
    TestClient connect(String... headers) {
        StompHeaders.Builder b = StompHeaders.builder().add("accept-version", "1.2").add("host", "localhost");
        for (int i = 0; i < headers.length; i += 2) {
            b.set(headers[i], headers[i + 1]);
        }
        return send(StompFrame.of(StompCommand.CONNECT, b.build()));
    }

    TestClient send(StompCommand command, String... headers) {
        return send(StompFrame.of(command, headers));
    }

    /** A SEND with a UTF-8 body and its content-length. */
    TestClient sendMessage(String destination, String body, String... headers) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StompHeaders.Builder b = StompHeaders.builder().add(StompHeaders.DESTINATION, destination);
        for (int i = 0; i < headers.length; i += 2) {
            b.add(headers[i], headers[i + 1]);
        }
        b.add(StompHeaders.CONTENT_LENGTH, Integer.toString(bytes.length));
        return send(new StompFrame(StompCommand.SEND, b.build(), bytes));
    }

    TestClient subscribe(String id, String destination, String... headers) {
        StompHeaders.Builder b = StompHeaders.builder().add(StompHeaders.ID, id).add(StompHeaders.DESTINATION, destination);
        for (int i = 0; i < headers.length; i += 2) {
            b.add(headers[i], headers[i + 1]);
        }
        return send(StompFrame.of(StompCommand.SUBSCRIBE, b.build()));
    }

    TestClient send(StompFrame frame) {
        return sendBytes(StompEncoder.encode(frame, StompVersion.V1_2));
    }

    TestClient heartBeat() {
        return sendBytes(new byte[] {'\n'});
    }

    TestClient sendBytes(byte[] chunk) {
        Sinks.EmitResult result = inbound.tryEmitNext(chunk);
        if (result.isFailure() && result != Sinks.EmitResult.FAIL_TERMINATED) {
            throw new AssertionError("could not feed the session: " + result);
        }
        return this;
    }

    /** The WebSocket went away: the inbound stream completes. */
    void closeTransport() {
        inbound.tryEmitComplete();
    }

    // ------------------------------------------------------------------ decoding

    private Sent decode(OutboundItem item) {
        ByteBuf buf = item.encode(PooledByteBufAllocator.DEFAULT);
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(buf);
        }
        finally {
            buf.release();
        }
        decoder.append(bytes);
        DecodeResult result = decoder.poll();
        Sent sent;
        if (result instanceof DecodeResult.HeartBeat) {
            sent = new Sent(harness.nowMs(), null);
        }
        else if (result instanceof DecodeResult.Frame frame) {
            sent = new Sent(harness.nowMs(), frame.frame());
        }
        else {
            throw new AssertionError("the session wrote an item that does not decode as one frame: " + result);
        }
        if (decoder.bufferedBytes() != 0) {
            throw new AssertionError("the session wrote an item holding more than one frame");
        }
        received.add(sent);
        return sent;
    }
}
