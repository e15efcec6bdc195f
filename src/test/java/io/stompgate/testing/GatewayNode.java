package io.stompgate.testing;

import io.stompgate.GatewayApplication;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** A node in {@code rabbitmq} mode against the tests' broker ({@link TestRabbit}), with a unique node id, plus {@code properties}. */
    public static GatewayNode startRabbit(String... properties) {
        return startWith("test-", rabbitMode(TestRabbit.get().gatewayProperties()), properties);
    }

    /** As {@link #startRabbit}, but reaching the broker through {@code proxy}, which a test can cut. */
    public static GatewayNode startRabbitThrough(TcpProxy proxy, String... properties) {
        return startWith("test-", rabbitMode(TestRabbit.get().gatewayProperties(proxy.host(), proxy.port())), properties);
    }

    private static List<String> rabbitMode(List<String> connection) {
        List<String> base = new ArrayList<>(List.of("gateway.broker=rabbitmq"));
        base.addAll(connection);
        return base;
    }

    /**
     * Starts a node on a random port with a unique node id, with {@code base} and then
     * {@code properties} ({@code name=value}); a property given twice takes its last value (on
     * Spring's command line both would be kept, joined by a comma).
     */
    private static GatewayNode startWith(String idPrefix, List<String> base, String... properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", "0");
        all.put("spring.main.banner-mode", "off");
        all.put("gateway.node-id", idPrefix + UUID.randomUUID().toString().substring(0, 8));
        for (String p : base) {
            put(all, p);
        }
        for (String p : properties) {
            put(all, p);
        }
        List<String> args = new ArrayList<>();
        all.forEach((name, value) -> args.add("--" + name + "=" + value));
        return start(all.get("gateway.node-id"), args);
    }

    private static void put(Map<String, String> properties, String nameAndValue) {
        int eq = nameAndValue.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("not name=value: " + nameAndValue);
        }
        properties.put(nameAndValue.substring(0, eq), nameAndValue.substring(eq + 1));
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
