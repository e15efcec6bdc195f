package io.stompgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.stompgate.config.GatewayProperties;
import io.stompgate.config.RabbitConnectionProperties;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.TestRabbit;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;

/**
 * The Kubernetes manifests against the running app: a gateway started with exactly the
 * environment the Deployment gives its container (the ConfigMap through envFrom, then its own
 * env: the pod name for GATEWAY_NODE_ID, stand-in values for the Secret keys) answers every
 * probe path with 200, binds every variable to a property it knows, and serves the metric the
 * sessions autoscaler reads.
 *
 * <p>One change to run here: SPRING_RABBITMQ_ADDRESSES is added, the tests' RabbitMQ
 * ({@link TestRabbit}) as a URI with its user, password and virtual host, which wins over the
 * manifests' host (the in-cluster Service name), port, user and virtual host; so the node really is
 * in rabbitmq mode and its readiness really includes the broker, while the properties the manifests
 * set keep their values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@NeedsRabbitMQ
class KubernetesAgainstAppTest {

    static final String SESSIONS_METRIC = "stomp_sessions_active";
    /** A misspelled variable, started along with the real ones: the check must report it. */
    static final String MISSPELLED = "GATEWAY_DRAIN_PERIDO";

    private final ConfigMap configMap = Manifests.configMap();
    private final Deployment deployment = Manifests.deployment();
    private final Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    private final String podName = deployment.getMetadata().getName() + "-7d9c5b6f4-"
            + UUID.randomUUID().toString().substring(0, 5);
    private Map<String, String> environment;
    private GatewayWithEnvironment node;

    @BeforeAll
    void start() throws Exception {
        environment = containerEnvironment();
        environment.put("SPRING_RABBITMQ_ADDRESSES", TestRabbit.get().amqpUri());
        Map<String, String> withTypo = new LinkedHashMap<>(environment);
        withTypo.put(MISSPELLED, "1s");
        node = GatewayWithEnvironment.start(withTypo);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(node.get(KubernetesManifestsTest.READINESS).statusCode()).as("readiness").isEqualTo(200));
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** The container's environment as the kubelet would set it: envFrom first, env over it. */
    private Map<String, String> containerEnvironment() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            assertThat(from.getConfigMapRef().getName()).isEqualTo(configMap.getMetadata().getName());
            env.putAll(configMap.getData());
        }
        Map<String, String> secrets = secretStandIns();
        for (EnvVar var : container.getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue());
            }
            else if (var.getValueFrom().getFieldRef() != null) {
                assertThat(var.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
                env.put(var.getName(), podName);
            }
            else if (var.getValueFrom().getSecretKeyRef() != null) {
                String key = var.getValueFrom().getSecretKeyRef().getKey();
                assertThat(secrets).as("a stand-in for Secret key " + key).containsKey(key);
                env.put(var.getName(), secrets.get(key));
            }
            else {
                throw new AssertionError(var.getName() + ": a source this test does not know");
            }
        }
        return env;
    }

    /** Values for the Secret keys (secret.example.yaml): a RabbitMQ user (the addresses' URI overrides it), a fresh JWT secret and key. */
    private static Map<String, String> secretStandIns() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(ec.generateKeyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        return Map.of("username", "guest", "password", "guest",
                "hmac-secret", UUID.randomUUID() + "-" + UUID.randomUUID(), "public-key", pem);
    }

    @Test
    void everyVariableTheDeploymentSetsIsAPropertyTheAppBinds() {
        assertThat(environment.keySet()).containsAll(configMap.getData().keySet())
                .contains("GATEWAY_NODE_ID", "SPRING_RABBITMQ_USERNAME", "GATEWAY_AUTH_JWT_HMAC_SECRET");
        assertThat(node.unboundVariables()).as("variables no property of the app takes").containsOnly(MISSPELLED);
    }

    @Test
    void aMisspelledVariableIsReportedAsUnbound() {
        assertThat(node.unboundVariables()).contains(MISSPELLED);
    }

    @Test
    void theAppRunsWithTheValuesOfTheManifests() {
        GatewayProperties gateway = node.context().getBean(GatewayProperties.class);
        Map<String, String> data = configMap.getData();
        assertThat(gateway.broker()).isEqualTo(GatewayProperties.BrokerMode.RABBITMQ);
        assertThat(gateway.auth().mode()).isEqualTo(GatewayProperties.AuthMode.JWT);
        assertThat(gateway.nodeId()).isEqualTo(podName);
        assertThat(gateway.drain().period()).isEqualTo(AppSettings.duration(data.get("GATEWAY_DRAIN_PERIOD")));
        assertThat(gateway.heartbeat().serverMs()).isEqualTo(Long.parseLong(data.get("GATEWAY_HEARTBEAT_SERVER_MS")));
        assertThat(gateway.auth().jwt().hmacSecret()).isNotBlank();
        assertThat(gateway.auth().jwt().publicKey()).startsWith("-----BEGIN PUBLIC KEY-----");
        RabbitConnectionProperties rabbit = node.context().getBean(RabbitConnectionProperties.class);
        assertThat(rabbit.port()).isEqualTo(Integer.parseInt(data.get("SPRING_RABBITMQ_PORT")));
        assertThat(rabbit.virtualHost()).isEqualTo(data.get("SPRING_RABBITMQ_VIRTUAL_HOST"));
        assertThat(node.context().getEnvironment().getProperty("spring.lifecycle.timeout-per-shutdown-phase", Duration.class))
                .isEqualTo(AppSettings.shutdownPhaseTimeout(data));
    }

    @Test
    void everyProbeAnswers200OnTheRunningApp() {
        for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
            String path = KubernetesManifestsTest.path(probe);
            HttpResponse<String> response = node.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.body()).as(path).contains("\"UP\"");
        }
    }

    @Test
    void anUnknownPathIsNot200() {
        assertThat(node.get("/actuator/health/livenes").statusCode()).isNotEqualTo(200);
    }

    @Test
    void theContainerPortIsThePortTheAppListensOn() {
        StandardEnvironment withoutTestPort = new StandardEnvironment();
        node.context().getEnvironment().getPropertySources().stream()
                .filter(s -> !s.getName().equals("commandLineArgs"))
                .forEach(s -> withoutTestPort.getPropertySources().addLast(s));
        ConfigurationPropertySources.attach(withoutTestPort);
        int configured = Binder.get(withoutTestPort).bind("server.port", Integer.class).orElse(8080);
        assertThat(container.getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(configured));
        assertThat(KubernetesManifestsTest.containerPort(container,
                container.getReadinessProbe().getHttpGet().getPort())).isEqualTo(configured);
    }

    @Test
    void thePrometheusEndpointServesTheGaugeTheSessionsAutoscalerReads() {
        String path = Manifests.podMonitor().spec().podMetricsEndpoints().get(0).path();
        assertThat(path).isEqualTo(deployment.getSpec().getTemplate().getMetadata().getAnnotations()
                .get("prometheus.io/path"));
        HttpResponse<String> response = node.get(path);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("# TYPE " + SESSIONS_METRIC + " gauge")
                .contains(SESSIONS_METRIC + "{node=\"" + podName + "\"}");
    }
}
