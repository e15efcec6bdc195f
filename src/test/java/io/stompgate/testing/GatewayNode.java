package io.stompgate.testing;

import io.stompgate.GatewayApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * One gateway node started in the test JVM on a random port, for tests that
 * need several nodes (each its own application context) or need to stop one.
 */
public final class GatewayNode implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final String nodeId;

    private GatewayNode(ConfigurableApplicationContext context, String nodeId) {
        this.context = context;
        this.nodeId = nodeId;
    }

    /** A node in {@code rabbitmq} mode against the local broker, with a unique node id, plus {@code properties}. */
    public static GatewayNode startRabbit(String... properties) {
        return startWith("test-", List.of("--gateway.broker=rabbitmq", "--spring.rabbitmq.host=127.0.0.1"), properties);
    }

    /** Starts a node on a random port with a unique node id, unless {@code properties} set one. */
    private static GatewayNode startWith(String idPrefix, List<String> base, String... properties) {
        String nodeId = idPrefix + UUID.randomUUID().toString().substring(0, 8);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.main.banner-mode=off"));
        args.addAll(base);
        boolean idGiven = false;
        for (String p : properties) {
            if (p.startsWith("gateway.node-id=")) {
                nodeId = p.substring("gateway.node-id=".length());
                idGiven = true;
            }
            args.add("--" + p);
        }
        if (!idGiven) {
            args.add("--gateway.node-id=" + nodeId);
        }
        return start(nodeId, args);
    }

    /** A node with the in-JVM broker, plus {@code properties}. */
    public static GatewayNode startLocal(String... properties) {
        return startWith("local-", List.of(), properties);
    }

    public static GatewayNode start(String nodeId, List<String> args) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .web(WebApplicationType.REACTIVE)
                .run(args.toArray(String[]::new));
        return new GatewayNode(context, nodeId);
    }

    public int port() {
        Environment env = context.getEnvironment();
        return Integer.parseInt(env.getProperty("local.server.port"));
    }

    public String nodeId() {
        return nodeId;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public RawStompClient client(String user) {
        return RawStompClient.connect(port(), "/ws?user=" + user, h -> { }, "v12.stomp");
    }

    public boolean isRunning() {
        return context.isActive();
    }

    @Override
    public void close() {
        if (context.isActive()) {
            SpringApplication.exit(context);
        }
    }
}
