package io.stompgate.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompVersion;
import io.stompgate.stomp.Utf8;

/**
 * One thing waiting in a session's outbound queue. Kept unencoded until the
 * transport takes it, so a queued item holds no pooled buffer and a session that
 * dies with a full queue leaks nothing.
 */
public abstract class OutboundItem {

    /** Encodes into a new buffer that the caller owns (and must write or release). */
    public abstract ByteBuf encode(ByteBufAllocator allocator);

    /** Whether the encoded frame is valid UTF-8, so may travel as a text WebSocket message. */
    public abstract boolean isText();

    /** The frame's command, or {@code null} for a heart-beat. */
    public abstract StompCommand command();

    /** Called when the item is handed to the network. */
    public void onWritten() {
    }

    /** A bare end-of-line: a server heart-beat. */
    static final OutboundItem HEART_BEAT = new OutboundItem() {
        @Override
        public ByteBuf encode(ByteBufAllocator allocator) {
            return allocator.buffer(1).writeByte('\n');
        }

        @Override
        public boolean isText() {
            return true;
        }

        @Override
        public StompCommand command() {
            return null;
        }
    };

    /** A whole frame, encoded with the escaping rules of {@code version} ({@code null}: none). */
    static final class FrameItem extends OutboundItem {
        private final StompFrame frame;
        private final StompVersion version;
        private final Runnable onWritten;

        FrameItem(StompFrame frame, StompVersion version, Runnable onWritten) {
            this.frame = frame;
            this.version = version;
            this.onWritten = onWritten;
        }

        StompFrame frame() {
            return frame;
        }

        @Override
        public ByteBuf encode(ByteBufAllocator allocator) {
            ByteBuf out = allocator.buffer(StompEncoder.estimateSize(frame));
            StompEncoder.encode(frame, version == null ? StompVersion.V1_0 : version, out);
            return out;
        }

        @Override
        public boolean isText() {
            return frame.body().length == 0 || Utf8.isValid(frame.body());
        }

        @Override
        public StompCommand command() {
            return frame.command();
        }

        @Override
        public void onWritten() {
            if (onWritten != null) {
                onWritten.run();
            }
        }
    }

    /**
     * Every MESSAGE frame, from a broadcast, a user queue or a shared queue: the
     * per-subscription head ({@code subscription}, {@code message-id}, {@code ack},
     * {@code redelivered}) written here, the shared rest ({@code destination}, the
     * message's headers, the node's headers, {@code content-length}, body) encoded
     * once per message in {@link SharedMessage}. One layout for all of them.
     */
    static final class MessageItem extends OutboundItem {
        private final SharedMessage shared;
        private final String subscriptionId;
        private final String messageId;
        private final boolean ackHeader;
        private final StompVersion version;
        private final boolean redelivered;
        private final Runnable onWritten;

        /**
         * @param ackHeader   the subscription needs acknowledgements (STOMP 1.2 then gets an {@code ack} header)
         * @param redelivered the broker delivered it before (a shared queue's requeued message)
         * @param onWritten   runs when the frame is handed to the network; may be {@code null}
         */
        MessageItem(SharedMessage shared, String subscriptionId, String messageId, boolean ackHeader,
                StompVersion version, boolean redelivered, Runnable onWritten) {
            this.shared = shared;
            this.subscriptionId = subscriptionId;
            this.messageId = messageId;
            this.ackHeader = ackHeader;
            this.version = version;
            this.redelivered = redelivered;
            this.onWritten = onWritten;
        }

        @Override
        public ByteBuf encode(ByteBufAllocator allocator) {
            byte[] rest = shared.encoded(version);
            ByteBuf out = allocator.buffer(rest.length + subscriptionId.length() + 2 * messageId.length() + 64);
            StompVersion escaping = version.escapesHeaders() ? version : null;
            StompEncoder.writeCommand(StompCommand.MESSAGE, out);
            StompEncoder.writeHeader(StompHeaders.SUBSCRIPTION, subscriptionId, escaping, out);
            StompEncoder.writeHeader(StompHeaders.MESSAGE_ID, messageId, escaping, out);
            if (ackHeader && version == StompVersion.V1_2) {
                StompEncoder.writeHeader(StompHeaders.ACK, messageId, escaping, out);
            }
            if (redelivered) {
                StompEncoder.writeHeader(StompHeaders.REDELIVERED, "true", escaping, out);
            }
            return out.writeBytes(rest);
        }

        @Override
        public boolean isText() {
            return shared.isText();
        }

        @Override
        public StompCommand command() {
            return StompCommand.MESSAGE;
        }

        @Override
        public void onWritten() {
            if (onWritten != null) {
                onWritten.run();
            }
        }
    }
}
