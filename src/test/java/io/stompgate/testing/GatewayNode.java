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
        String nodeId = "test-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--gateway.broker=rabbitmq",
                "--gateway.node-id=" + nodeId,
                "--spring.rabbitmq.host=127.0.0.1",
                "--spring.main.banner-mode=off"));
        for (String p : properties) {
            args.add("--" + p);
        }
        for (String p : properties) {
            if (p.startsWith("gateway.node-id=")) {
                nodeId = p.substring("gateway.node-id=".length());
            }
        }
        return start(nodeId, args);
    }

    /** A node with the in-JVM broker, plus {@code properties}. */
    public static GatewayNode startLocal(String... properties) {
        String nodeId = "local-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--gateway.node-id=" + nodeId,
                "--spring.main.banner-mode=off"));
        for (String p : properties) {
            args.add("--" + p);
        }
        return start(nodeId, args);
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
