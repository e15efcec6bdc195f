package io.stompgate.stomp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The STOMP commands, with the protocol facts that validation reads: who sends
 * the frame, whether it may carry a body, and which headers it requires in each
 * protocol version. Keeping these facts here means the decoder and the session
 * never hard-code them.
 */
public enum StompCommand {
    CONNECT(Direction.CLIENT, false),
    STOMP(Direction.CLIENT, false),
    CONNECTED(Direction.SERVER, false),
    SEND(Direction.CLIENT, true),
    SUBSCRIBE(Direction.CLIENT, false),
    UNSUBSCRIBE(Direction.CLIENT, false),
    ACK(Direction.CLIENT, false),
    NACK(Direction.CLIENT, false),
    BEGIN(Direction.CLIENT, false),
    COMMIT(Direction.CLIENT, false),
    ABORT(Direction.CLIENT, false),
    DISCONNECT(Direction.CLIENT, false),
    MESSAGE(Direction.SERVER, true),
    RECEIPT(Direction.SERVER, false),
    ERROR(Direction.SERVER, true);

    /** Which peer sends a command. */
    public enum Direction { CLIENT, SERVER }

    private static final StompCommand[] VALUES = values();

    private final Direction direction;
    private final boolean bodyAllowed;
    private final byte[] bytes;

    StompCommand(Direction direction, boolean bodyAllowed) {
        this.direction = direction;
        this.bodyAllowed = bodyAllowed;
        this.bytes = name().getBytes(StandardCharsets.US_ASCII);
    }

    public boolean isClientCommand() {
        return direction == Direction.CLIENT;
    }

    /** STOMP 1.2 §"Frames and Headers": only SEND, MESSAGE and ERROR frames may have a body. */
    public boolean isBodyAllowed() {
        return bodyAllowed;
    }

    /**
     * STOMP 1.1/1.2 §"Value Encoding": CONNECT and CONNECTED frames do not escape
     * header values, for backward compatibility with 1.0.
     */
    public boolean escapesHeaders() {
        return this != CONNECT && this != CONNECTED;
    }

    /** The command as it appears on the wire. */
    byte[] bytes() {
        return bytes;
    }

    /** Headers this command must carry in {@code version}, per the specification of that version. */
    public List<String> requiredHeaders(StompVersion version) {
        return switch (this) {
            case SEND -> List.of(StompHeaders.DESTINATION);
            case SUBSCRIBE -> version == StompVersion.V1_0
                    ? List.of(StompHeaders.DESTINATION)
                    : List.of(StompHeaders.DESTINATION, StompHeaders.ID);
            case UNSUBSCRIBE -> version == StompVersion.V1_0 ? List.of() : List.of(StompHeaders.ID);
            case ACK, NACK -> switch (version) {
                case V1_2 -> List.of(StompHeaders.ID);
                case V1_1 -> List.of(StompHeaders.MESSAGE_ID, StompHeaders.SUBSCRIPTION);
                case V1_0 -> List.of(StompHeaders.MESSAGE_ID);
            };
            case BEGIN, COMMIT, ABORT -> List.of(StompHeaders.TRANSACTION);
            case MESSAGE -> List.of(StompHeaders.DESTINATION, StompHeaders.MESSAGE_ID, StompHeaders.SUBSCRIPTION);
            case RECEIPT -> List.of(StompHeaders.RECEIPT_ID);
            case CONNECTED -> version == StompVersion.V1_0 ? List.of() : List.of(StompHeaders.VERSION);
            default -> List.of();
        };
    }

    /**
     * The command spelled by {@code buf[from, to)}, or {@code null} if it names none.
     * Compares bytes, so decoding a command allocates nothing.
     */
    static StompCommand lookup(byte[] buf, int from, int to) {
        int length = to - from;
        for (StompCommand command : VALUES) {
            byte[] b = command.bytes;
            if (b.length == length && java.util.Arrays.equals(b, 0, length, buf, from, to)) {
                return command;
            }
        }
        return null;
    }
}
