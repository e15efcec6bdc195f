package io.stompgate.archfixtures.stomp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Allowed in the codec: the JDK and Netty buffers. */
public final class Frame {

    public static String text(ByteBuf buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
