package io.stompgate.wire;

import io.stompgate.session.SessionRegistry;
import io.stompgate.testing.RawStompClient;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A gateway node with small limits, fast heart-beats and one allowed origin, so
 * that limits and timeouts are reached quickly. Every subclass shares this one
 * Spring context. The default frame limit (65536 bytes) is kept: its tests use
 * the shipped value.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TunedGatewayTest.MAX_SUBSCRIPTIONS_PROPERTY + "=" + TunedGatewayTest.MAX_SUBSCRIPTIONS,
        "gateway.heartbeat.server-ms=100",
        "gateway.heartbeat.client-ms=100",
        "gateway.allowed-origins=https://good.example",
        "gateway.limits.outbound-frames=" + TunedGatewayTest.OUTBOUND_FRAMES,
})
public abstract class TunedGatewayTest {

    public static final String MAX_SUBSCRIPTIONS_PROPERTY = "gateway.limits.max-subscriptions";
    public static final int MAX_SUBSCRIPTIONS = 5;
    public static final int OUTBOUND_FRAMES = 8;

    @LocalServerPort
    protected int port;

    @Autowired
    protected SessionRegistry registry;

    protected final OpenClients clients = new OpenClients();

    protected RawStompClient client(String user) {
        return clients.connected(port, user);
    }

    @AfterEach
    void closeClients() {
        clients.closeAll();
    }
}
