package io.stompgate.app;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.Publication;
import io.stompgate.broker.TopicMatcher;
import io.stompgate.broker.UnroutableException;
import java.util.List;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Routes {@code /app/<key>} publications to the in-JVM {@link AppMessageHandler}s
 * (local broker mode): the first handler whose pattern matches the key takes the
 * message. The local broker gets {@link #dispatch} as a plain function, so the
 * broker layer never knows the application layer.
 */
public final class AppHandlers {

    private final Supplier<List<AppMessageHandler>> source;
    private volatile List<AppMessageHandler> handlers;

    /**
     * @param source asked once, at the first message, so that handlers may themselves depend
     *               on beans that need the broker (such as the {@link GatewayMessenger})
     */
    public AppHandlers(Supplier<List<AppMessageHandler>> source) {
        this.source = source;
    }

    /**
     * Hands {@code publication} (addressed to {@code /app}) to its handler; completes when
     * the handler has. Fails with {@link UnroutableException} when no handler takes the key,
     * and with {@link BrokerException} when the handler fails.
     */
    public Mono<Void> dispatch(Publication publication) {
        return Mono.defer(() -> {
            Address.App app = (Address.App) publication.address();
            AppMessage message = new AppMessage(app.key(), publication.user(), publication.sessionId(),
                    publication.message().headers(), publication.message().body());
            for (AppMessageHandler handler : handlers()) {
                if (TopicMatcher.matches(handler.pattern(), app.key())) {
                    return handler.handle(message).onErrorMap(e -> !(e instanceof BrokerException),
                            e -> new BrokerException("the application failed to handle the message"));
                }
            }
            return Mono.error(new UnroutableException("no application handler for '/app/" + app.key() + "'"));
        });
    }

    private List<AppMessageHandler> handlers() {
        List<AppMessageHandler> h = handlers;
        if (h == null) {
            h = List.copyOf(source.get());
            handlers = h;
        }
        return h;
    }
}
