package io.stompgate.wire;

import io.stompgate.app.AppMessage;
import io.stompgate.app.AppMessageHandler;
import io.stompgate.app.GatewayMessenger;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

/**
 * In-JVM application handlers for {@code /app} tests: {@code /app/echo.<word>}
 * answers the sender on {@code /user/<sender>/queue/replies}; {@code /app/fail}
 * always fails.
 *
 * <p>The messenger is looked up lazily: {@code GatewayMessenger} needs the broker,
 * and the local broker is built from the handler beans, so injecting the messenger
 * directly is a dependency cycle (see {@link io.stompgate.wire.delivery.AppHandlerWiringTest}).
 */
@TestConfiguration(proxyBeanMethods = false)
public class EchoApplication {

    public static final String REPLY_QUEUE = "replies";

    @Bean
    AppMessageHandler echoHandler(ObjectProvider<GatewayMessenger> messenger) {
        return new EchoHandler(messenger::getObject);
    }

    @Bean
    AppMessageHandler failingHandler() {
        return new AppMessageHandler() {
            @Override
            public String pattern() {
                return "fail";
            }

            @Override
            public Mono<Void> handle(AppMessage message) {
                return Mono.error(new IllegalStateException("the test application always fails"));
            }
        };
    }

    /** Replies {@code echo: <body>} to the sender, with the key it was sent to and the sender's session. */
    static final class EchoHandler implements AppMessageHandler {

        private final Supplier<GatewayMessenger> messenger;

        EchoHandler(Supplier<GatewayMessenger> messenger) {
            this.messenger = messenger;
        }

        @Override
        public String pattern() {
            return "echo.*";
        }

        @Override
        public Mono<Void> handle(AppMessage message) {
            StompHeaders headers = StompHeaders.of(
                    StompHeaders.CONTENT_TYPE, "text/plain",
                    "app-key", message.key(),
                    "app-session", message.sessionId());
            byte[] body = ("echo: " + message.bodyAsString()).getBytes(StandardCharsets.UTF_8);
            return messenger.get().sendToUser(message.user(), REPLY_QUEUE, headers, body);
        }
    }
}
