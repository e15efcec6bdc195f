package io.stompgate.deploy;

import io.stompgate.GatewayApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * A gateway node started in the test JVM with exactly the environment variables a deployment
 * file gives it: they replace the process environment (the property source named
 * {@code systemEnvironment}, so Spring Boot maps names such as {@code GATEWAY_DRAIN_PERIOD} to
 * {@code gateway.drain.period} just as in a container). The only other setting is a random
 * port; what had to be changed to run here (the RabbitMQ host, for one) the caller changes in
 * the map, and says so.
 */
final class GatewayWithEnvironment implements AutoCloseable {

    /** The test's own override (a random port), below the deployment's environment. */
    private static final String TEST_PORT = "--server.port=0";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ConfigurableApplicationContext context;
    private final Map<String, String> environment;

    private GatewayWithEnvironment(ConfigurableApplicationContext context, Map<String, String> environment) {
        this.context = context;
        this.environment = environment;
    }

    static GatewayWithEnvironment start(Map<String, String> environment) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .web(WebApplicationType.REACTIVE)
                .initializers(ctx -> {
                    MutablePropertySources sources = ctx.getEnvironment().getPropertySources();
                    sources.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                            new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                    new LinkedHashMap<>(env)));
                })
                .run(TEST_PORT, "--spring.main.banner-mode=off");
        return new GatewayWithEnvironment(context, env);
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /**
     * The environment variables no {@code @ConfigurationProperties} bean of the running app
     * bound: Actuator's configuration-properties report says, for every bound property, which
     * source (here: which variable) its value came from.
     */
    List<String> unboundVariables() {
        TreeSet<String> origins = new TreeSet<>();
        ConfigurationPropertiesReportEndpoint report = new ConfigurationPropertiesReportEndpoint(List.of(), Show.ALWAYS);
        report.setApplicationContext(context);
        report.configurationProperties().getContexts().values().forEach(c -> c.getBeans().values()
                .forEach(bean -> collectOrigins(bean.getInputs(), origins)));
        List<String> unbound = new ArrayList<>();
        for (String name : environment.keySet()) {
            if (origins.stream().noneMatch(o -> o.contains("\"" + name + "\""))) {
                unbound.add(name);
            }
        }
        return unbound;
    }

    private static void collectOrigins(Object inputs, TreeSet<String> origins) {
        if (inputs instanceof Map<?, ?> map) {
            Object origin = map.get("origin");
            if (origin instanceof String s && map.containsKey("value")) {
                origins.add(s);
            }
            map.values().forEach(v -> collectOrigins(v, origins));
        }
        else if (inputs instanceof List<?> list) {
            list.forEach(v -> collectOrigins(v, origins));
        }
    }

    /** GET on this node; the status and body. */
    HttpResponse<String> get(String path) {
        return get(port(), path);
    }

    static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new IllegalStateException("GET " + path + ": " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (context.isActive()) {
            SpringApplication.exit(context);
        }
    }
}
