package io.stompgate.wire;

import io.stompgate.session.SessionRegistry;
import io.stompgate.testing.RawStompClient;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * A gateway node with the default settings ({@code gateway.broker=local}) and the
 * {@link EchoApplication} handlers. Every subclass shares one Spring context and
 * one server; clients opened through {@link #client} are closed after each test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(EchoApplication.class)
public abstract class LocalGatewayTest {

    @LocalServerPort
    protected int port;

    @Autowired
    protected SessionRegistry registry;

    protected final OpenClients clients = new OpenClients();

    /** A queue name no other test uses, so leftovers of one test cannot reach another. */
    protected static String queue() {
        return "/queue/q" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A new session of {@code user}, connected with STOMP 1.2. */
    protected RawStompClient client(String user) {
        return clients.connected(port, user);
    }

    @AfterEach
    void closeClients() {
        clients.closeAll();
    }
}
