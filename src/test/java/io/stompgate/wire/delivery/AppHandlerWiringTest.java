package io.stompgate.wire.delivery;

import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.app.AppMessage;
import io.stompgate.app.AppMessageHandler;
import io.stompgate.app.GatewayMessenger;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.OpenClients;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

/**
 * An {@link AppMessageHandler} declared the way its javadoc suggests, as a bean
 * that takes the {@link GatewayMessenger} it answers through as an ordinary
 * constructor dependency.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AppHandlerWiringTest {

    @TestConfiguration(proxyBeanMethods = false)
    static class DirectlyWiredApplication {

        @Bean
        AppMessageHandler greeter(GatewayMessenger messenger) {
            return new AppMessageHandler() {
                @Override
                public String pattern() {
                    return "greet";
                }

                @Override
                public Mono<Void> handle(AppMessage message) {
                    return messenger.sendToUser(message.user(), "replies", StompHeaders.EMPTY,
                            ("hello " + message.user()).getBytes(StandardCharsets.UTF_8));
                }
            };
        }
    }

    @LocalServerPort
    int port;

    private final OpenClients clients = new OpenClients();

    @AfterEach
    void closeClients() {
        clients.closeAll();
    }

    @Test
    void appHandlerTakingTheMessengerAsADependencyAnswersTheSender() {
        RawStompClient alice = clients.connected(port, "alice");
        alice.subscribe("r", "/user/queue/replies");

        alice.sendText(send("/app/greet", ""));

        assertThat(RawStompClient.text(alice.expectMessage())).isEqualTo("hello alice");
    }
}
