package io.stompgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stompgate.config.GatewayProperties;
import io.stompgate.config.HistoryProperties;
import io.stompgate.deploy.NginxConfig.Directive;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.TestRabbit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docker/compose.yaml: parses, uses only Compose's own keys, runs RabbitMQ (with its management
 * UI), two gateway nodes in rabbitmq mode and nginx in front, in the right order; and each
 * gateway's environment, given to the real app, is made of properties the app binds. The
 * container health check script is run against that app too.
 */
class ComposeTest {

    private final Compose compose = Compose.read();

    static List<String> gatewayServices() {
        return Compose.read().gateways();
    }

    @Test
    void theFileUsesOnlyComposeKeys() {
        assertThat(compose.unknownKeys()).isEmpty();
    }

    @Test
    void aMisspelledOrDuplicatedKeyIsFound() {
        Compose typo = Compose.parse("services:\n  a:\n    image: x\n    enviroment:\n      A: b\n"
                + "    healthcheck:\n      test: [\"CMD\", \"true\"]\n      intervall: 5s\n");
        assertThat(typo.unknownKeys()).containsExactlyInAnyOrder("services.a.enviroment", "services.a.healthcheck.intervall");
        assertThatThrownBy(() -> Compose.parse("services:\n  a:\n    image: x\n    image: y\n"))
                .hasMessageContaining("duplicate key image");
    }

    /** docker-compose 1.29 (Debian's) refuses a top-level {@code name}; Compose v2 does not need it. */
    @Test
    void theFileHasNoTopLevelNameSoComposeV1ReadsItToo() {
        assertThat(compose.root).doesNotContainKey("name");
        assertThat(compose.root.keySet()).allMatch(k -> k.startsWith("x-")
                || Set.of("services", "volumes", "networks", "configs", "secrets").contains(k));
    }

    /**
     * Each published port is {@code ${STOMPGATE_..._PORT:-default}:container}: a developer with
     * RabbitMQ or anything else on 5672, 15672 or 8080 (and the smoke test) can move it, and the
     * default stays the container's own port (8080 for nginx's 80).
     */
    @Test
    void everyPublishedHostPortIsSettableAndDefaultsToTheUsualOne() {
        Pattern published = Pattern.compile("\\$\\{(STOMPGATE_[A-Z]+_PORT):-(\\d+)}:(\\d+)");
        Map<String, String> defaultOfVariable = new LinkedHashMap<>();
        Map<String, String> variableOfTarget = new LinkedHashMap<>();
        compose.services().forEach((name, service) -> {
            for (Object port : (List<?>) service.getOrDefault("ports", List.of())) {
                Matcher m = published.matcher(String.valueOf(port));
                assertThat(m.matches()).as(name + " publishes " + port + " as ${STOMPGATE_..._PORT:-default}:port").isTrue();
                assertThat(defaultOfVariable.put(m.group(1), m.group(2))).as(m.group(1) + " used once").isNull();
                variableOfTarget.put(name + ":" + m.group(3), m.group(1));
            }
        });
        assertThat(variableOfTarget).containsOnly(Map.entry("lb:80", "STOMPGATE_HTTP_PORT"),
                Map.entry("rabbitmq:5672", "STOMPGATE_AMQP_PORT"), Map.entry("rabbitmq:15672", "STOMPGATE_MANAGEMENT_PORT"));
        assertThat(defaultOfVariable).containsOnly(Map.entry("STOMPGATE_HTTP_PORT", "8080"),
                Map.entry("STOMPGATE_AMQP_PORT", "5672"), Map.entry("STOMPGATE_MANAGEMENT_PORT", "15672"));
    }

    @Test
    void itRunsRabbitMqTwoGatewaysAndABalancer() {
        assertThat(compose.gateways()).hasSize(2);
        assertThat(compose.services().keySet()).containsExactlyInAnyOrder("rabbitmq", "lb",
                compose.gateways().get(0), compose.gateways().get(1));
        assertThat((String) compose.service("rabbitmq").get("image")).matches("rabbitmq:[\\w.]*-?management(-alpine)?");
        assertThat((String) compose.service("lb").get("image")).startsWith("nginx:");
        for (String gateway : compose.gateways()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> build = (Map<String, Object>) compose.service(gateway).get("build");
            Path context = Compose.file().getParent().resolve((String) build.get("context")).normalize();
            assertThat(context).isEqualTo(Manifests.basedir());
            assertThat(context.resolve((String) build.get("dockerfile"))).isRegularFile();
        }
    }

    @Test
    void theGatewaysAreDistinctClusterNodesOnTheComposeRabbitMq() {
        Map<String, String> rabbit = compose.environment("rabbitmq");
        Set<String> nodeIds = new HashSet<>();
        for (String gateway : compose.gateways()) {
            Map<String, String> env = compose.environment(gateway);
            assertThat(env).containsEntry("GATEWAY_BROKER", "rabbitmq")
                    .containsEntry("SPRING_RABBITMQ_HOST", "rabbitmq")
                    .containsEntry("SPRING_RABBITMQ_USERNAME", rabbit.get("RABBITMQ_DEFAULT_USER"))
                    .containsEntry("SPRING_RABBITMQ_PASSWORD", rabbit.get("RABBITMQ_DEFAULT_PASS"));
            assertThat(compose.services()).containsKey(env.get("SPRING_RABBITMQ_HOST"));
            assertThat(nodeIds.add(env.get("GATEWAY_NODE_ID"))).as("distinct GATEWAY_NODE_ID").isTrue();
        }
    }

    @Test
    void servicesStartInOrderOfHealth() {
        assertThat(compose.healthcheck("rabbitmq")).isNotNull();
        for (String gateway : compose.gateways()) {
            assertThat(compose.dependsOn(gateway)).containsOnlyKeys("rabbitmq");
            assertThat(compose.dependsOn(gateway).get("rabbitmq")).containsEntry("condition", "service_healthy");
            List<Object> test = List.copyOf((List<?>) compose.healthcheck(gateway).get("test"));
            assertThat(test).containsExactly("CMD", "stompgate-healthcheck", KubernetesManifestsTest.READINESS);
        }
        assertThat(compose.dependsOn("lb")).containsOnlyKeys(compose.gateways().toArray(String[]::new));
        compose.dependsOn("lb").values().forEach(d -> assertThat(d).containsEntry("condition", "service_healthy"));
        compose.services().keySet().forEach(name -> compose.dependsOn(name).forEach((target, spec) -> {
            assertThat(compose.services()).as(name + " depends on").containsKey(target);
            assertThat(Compose.CONDITIONS).contains(String.valueOf(spec.getOrDefault("condition", "service_started")));
            if ("service_healthy".equals(spec.get("condition"))) {
                assertThat(compose.healthcheck(target)).as(target + " has a healthcheck").isNotNull();
            }
        }));
        for (String name : compose.services().keySet()) {
            Map<String, Object> health = compose.healthcheck(name);
            for (String key : List.of("interval", "timeout", "start_period")) {
                if (health != null && health.containsKey(key)) {
                    assertThat(Compose.duration((String) health.get(key))).isPositive();
                }
            }
        }
    }

    @Test
    void stoppingANodeLeavesTimeForTheDrain() {
        for (String gateway : compose.gateways()) {
            Map<String, String> env = compose.environment(gateway);
            Duration drain = AppSettings.duration(AppSettings.effective(env, "gateway.drain.period", "30s"));
            Duration grace = Compose.duration((String) compose.service(gateway).get("stop_grace_period"));
            assertThat(grace).as("stop_grace_period of " + gateway)
                    .isGreaterThan(drain.plus(AppSettings.DRAIN_LAST_FLUSH).plus(AppSettings.shutdownPhaseTimeout(env)));
        }
    }

    @Test
    void theBalancerServesNginxConfOnItsPublishedPortAndBalancesOverEveryGateway() {
        Map<String, Object> lb = compose.service("lb");
        assertThat(List.<Object>copyOf((List<?>) lb.get("volumes"))).contains("./nginx.conf:/etc/nginx/nginx.conf:ro");
        assertThat(NginxConfig.file()).isRegularFile();
        Directive http = NginxConfig.parse(NginxConfig.text()).one("http");
        String listen = http.one("server").one("listen").args().get(0);
        assertThat((List<?>) lb.get("ports")).anyMatch(p -> String.valueOf(p).endsWith(":" + listen));
        Set<String> upstreamServers = new HashSet<>();
        http.one("upstream").all("server").forEach(s -> upstreamServers.add(s.args().get(0)));
        Set<String> expected = new HashSet<>();
        for (String gateway : compose.gateways()) {
            expected.add(gateway + ":" + AppSettings.serverPort(compose.environment(gateway)));
        }
        assertThat(upstreamServers).isEqualTo(expected);
    }

    /**
     * Each gateway service's environment, given to the real app: every variable binds to a
     * property the app knows, and the node becomes ready. Changed to run here: the tests'
     * RabbitMQ ({@link TestRabbit}) is added as SPRING_RABBITMQ_ADDRESSES, a URI with its user,
     * password and virtual host, which wins over the compose service's host, port, user and
     * password; the node id gets a suffix, so it cannot meet another test's queue; and the
     * history stream is this test's own (GATEWAY_RABBITMQ_HISTORY_STREAM), deleted afterwards.
     */
    @NeedsRabbitMQ
    @ParameterizedTest
    @MethodSource("gatewayServices")
    void theGatewaysEnvironmentIsMadeOfPropertiesTheAppBinds(String gateway) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(compose.environment(gateway));
        env.put("SPRING_RABBITMQ_ADDRESSES", TestRabbit.get().amqpUri());
        String nodeId = env.get("GATEWAY_NODE_ID") + "-" + UUID.randomUUID().toString().substring(0, 6);
        env.put("GATEWAY_NODE_ID", nodeId);
        String stream = "stomp.history.compose-" + UUID.randomUUID().toString().substring(0, 8);
        env.put("GATEWAY_RABBITMQ_HISTORY_STREAM", stream);
        try (GatewayWithEnvironment node = GatewayWithEnvironment.start(env)) {
            assertThat(node.unboundVariables()).as("variables no property of the app takes").isEmpty();
            GatewayProperties properties = node.context().getBean(GatewayProperties.class);
            assertThat(properties.broker()).isEqualTo(GatewayProperties.BrokerMode.RABBITMQ);
            assertThat(properties.nodeId()).isEqualTo(nodeId);
            assertThat(node.context().getBean(HistoryProperties.class).destinations())
                    .as("the demo's chat rooms keep a history").containsExactly("/topic/chat.#");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(healthcheck(node.port(), KubernetesManifestsTest.READINESS).exitCode()).isZero());
            assertThat(node.get("/actuator/prometheus").body()).contains("node=\"" + nodeId + "\"");
        }
        finally {
            try (Rabbit rabbit = Rabbit.connect()) {
                rabbit.deleteQueue(stream);
            }
        }
    }

    @Test
    void theHealthCheckScriptTellsUpFromDown() throws Exception {
        Map<String, String> env = Map.of("GATEWAY_NODE_ID", "healthcheck-" + UUID.randomUUID().toString().substring(0, 6));
        int port;
        try (GatewayWithEnvironment node = GatewayWithEnvironment.start(env)) {
            port = node.port();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(healthcheck(node.port(), KubernetesManifestsTest.READINESS).exitCode()).isZero());
            assertThat(healthcheck(port, KubernetesManifestsTest.LIVENESS).exitCode()).isZero();
            Result missing = healthcheck(port, "/actuator/health/nope");
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.output()).contains("404");
        }
        Result down = healthcheck(port, KubernetesManifestsTest.READINESS);
        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.output()).contains("nothing listens");
    }

    record Result(int exitCode, String output) {
    }

    /** Runs docker/healthcheck.sh as the image does, against 127.0.0.1:{@code port}. */
    static Result healthcheck(int port, String path) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", Manifests.docker().resolve("healthcheck.sh").toString(), path)
                .redirectErrorStream(true);
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        Process process = builder.start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("healthcheck.sh did not finish");
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void composeDurationsParseAsComposeReadsThem() {
        assertThat(Compose.duration("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Compose.duration("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> Compose.duration("60")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(Compose.file())).isTrue();
    }
}
