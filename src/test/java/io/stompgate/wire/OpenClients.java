package io.stompgate.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import java.util.ArrayList;
import java.util.List;

/** The raw clients a test opened, to close them all after it, whatever it asserted. */
public final class OpenClients {

    private final List<RawStompClient> open = new ArrayList<>();

    /** Opens a WebSocket as {@code user} and completes the STOMP 1.2 CONNECT. */
    public RawStompClient connected(int port, String user) {
        RawStompClient client = track(RawStompClient.connectAs(port, user));
        StompFrame connected = client.connectStomp();
        assertThat(connected.command()).as("answer to CONNECT: %s", RawStompClient.describe(connected))
                .isEqualTo(StompCommand.CONNECTED);
        return client;
    }

    public RawStompClient track(RawStompClient client) {
        open.add(client);
        return client;
    }

    public void closeAll() {
        for (RawStompClient client : open) {
            client.close();
        }
        open.clear();
    }
}
