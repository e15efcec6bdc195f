package io.stompgate.session;

import io.stompgate.stomp.Utf8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompVersion;

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
     * A MESSAGE fanned out from a broadcast: the per-subscription head
     * ({@code subscription}, {@code message-id}, {@code ack}) written here, the
     * shared rest encoded once per message in {@link SharedMessage}.
     */
    static final class MessageItem extends OutboundItem {
        private final SharedMessage shared;
        private final String subscriptionId;
        private final String messageId;
        private final boolean ackHeader;
        private final StompVersion version;

        MessageItem(SharedMessage shared, String subscriptionId, String messageId, boolean ackHeader, StompVersion version) {
            this.shared = shared;
            this.subscriptionId = subscriptionId;
            this.messageId = messageId;
            this.ackHeader = ackHeader;
            this.version = version;
        }

        @Override
        public ByteBuf encode(ByteBufAllocator allocator) {
            byte[] rest = shared.encoded(version);
            ByteBuf out = allocator.buffer(rest.length + subscriptionId.length() + 2 * messageId.length() + 48);
            StompVersion escaping = version.escapesHeaders() ? version : null;
            StompEncoder.writeCommand(StompCommand.MESSAGE, out);
            StompEncoder.writeHeader("subscription", subscriptionId, escaping, out);
            StompEncoder.writeHeader("message-id", messageId, escaping, out);
            if (ackHeader && version == StompVersion.V1_2) {
                StompEncoder.writeHeader("ack", messageId, escaping, out);
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
    }
}
