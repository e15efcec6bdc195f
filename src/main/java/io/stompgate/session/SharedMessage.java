package io.stompgate.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompVersion;
import io.stompgate.stomp.Utf8;

/**
 * The part of a MESSAGE frame that every subscriber of one delivery shares:
 * destination, the message's headers, the delivering node's headers,
 * content-length and body. Encoded at most once per protocol version, however
 * many subscribers receive it; {@link OutboundItem.MessageItem} puts the
 * per-subscription head in front.
 */
final class SharedMessage {

    /** The MESSAGE header of a topic under history: the message's offset in it (docs/protocol.md §7). */
    static final String STREAM_OFFSET = "x-stream-offset";

    private final String destination;
    private final BrokerMessage message;
    private final StompHeaders nodeHeaders;
    private final long streamOffset;
    private final boolean text;
    private volatile byte[] v10;
    private volatile byte[] v11;
    private volatile byte[] v12;

    /** @param nodeHeaders headers the delivering node adds to every MESSAGE (such as {@code x-node}) */
    SharedMessage(String destination, BrokerMessage message, StompHeaders nodeHeaders) {
        this(destination, message, nodeHeaders, -1);
    }

    /**
     * A message of a topic under history.
     *
     * @param streamOffset its offset in the history, written as {@code x-stream-offset}; -1 for none
     */
    SharedMessage(String destination, BrokerMessage message, StompHeaders nodeHeaders, long streamOffset) {
        this.destination = destination;
        this.message = message;
        this.nodeHeaders = nodeHeaders;
        this.streamOffset = streamOffset;
        this.text = Utf8.isValid(message.body());
    }

    boolean isText() {
        return text;
    }

    String destination() {
        return destination;
    }

    BrokerMessage message() {
        return message;
    }

    byte[] encoded(StompVersion version) {
        return switch (version) {
            case V1_0 -> v10 != null ? v10 : (v10 = encode(null));
            case V1_1 -> v11 != null ? v11 : (v11 = encode(StompVersion.V1_1));
            case V1_2 -> v12 != null ? v12 : (v12 = encode(StompVersion.V1_2));
        };
    }

    private byte[] encode(StompVersion escaping) {
        byte[] body = message.body();
        StompHeaders headers = message.headers();
        ByteBuf out = Unpooled.buffer(body.length + destination.length() + 48 + headers.size() * 32);
        StompEncoder.writeHeader(StompHeaders.DESTINATION, destination, escaping, out);
        for (int i = 0; i < headers.size(); i++) {
            if (nodeHeaders.contains(headers.name(i))) {
                continue; // only the delivering node writes its own headers: a sender cannot forge them
            }
            StompEncoder.writeHeader(headers.name(i), headers.value(i), escaping, out);
        }
        for (int i = 0; i < nodeHeaders.size(); i++) {
            StompEncoder.writeHeader(nodeHeaders.name(i), nodeHeaders.value(i), escaping, out);
        }
        if (streamOffset >= 0) {
            StompEncoder.writeHeader(STREAM_OFFSET, Long.toString(streamOffset), escaping, out);
        }
        StompEncoder.writeHeader(StompHeaders.CONTENT_LENGTH, Integer.toString(body.length), escaping, out);
        StompEncoder.writeEndOfHeaders(out);
        StompEncoder.writeBodyAndNul(body, out);
        return ByteBufUtil.getBytes(out, 0, out.writerIndex(), false);
    }
}
