package io.stompgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The invariants that tie the Kubernetes manifests to each other and to the app: names,
 * selectors, ports, the shutdown budget, autoscaling behaviour, security settings and secret
 * references. (What needs the running app is in {@link KubernetesAgainstAppTest}.)
 */
class KubernetesManifestsTest {

    static final String LIVENESS = "/actuator/health/liveness";
    static final String READINESS = "/actuator/health/readiness";

    private final ConfigMap configMap = Manifests.configMap();
    private final Map<String, String> config = configMap.getData();
    private final Deployment deployment = Manifests.deployment();
    private final PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    private final Container gateway = pod.getContainers().get(0);
    private final Service service = Manifests.service();

    // --- names and selectors ---

    @Test
    void theDeploymentSelectsItsOwnPodTemplate() {
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        assertThat(selector).isNotEmpty();
        assertThat(deployment.getSpec().getSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(pod.getContainers()).hasSize(1);
    }

    @Test
    void theServiceSelectsTheGatewayPodsAndNothingElse() {
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> selector = service.getSpec().getSelector();
        assertThat(selector).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(selector);
        StatefulSet rabbit = Manifests.load("rabbitmq/statefulset/statefulset.yaml", StatefulSet.class);
        assertThat(matches(selector, rabbit.getSpec().getTemplate().getMetadata().getLabels()))
                .as("the gateway Service must not select RabbitMQ pods").isFalse();
        assertThat(service.getSpec().getSessionAffinity()).as("no stickiness").isIn(null, "None");
    }

    @Test
    void thePodDisruptionBudgetCoversExactlyTheDeploymentsPods() {
        PodDisruptionBudget pdb = Manifests.load("pdb.yaml", PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(pdb.getSpec().getMaxUnavailable()).as("one pod (and its sessions) at a time").isEqualTo(new IntOrString(1));
        assertThat(pdb.getSpec().getMinAvailable()).isNull();
    }

    @Test
    void bothAutoscalersTargetTheDeployment() {
        for (HorizontalPodAutoscaler hpa : autoscalers()) {
            var target = hpa.getSpec().getScaleTargetRef();
            assertThat(target.getApiVersion()).isEqualTo(deployment.getApiVersion());
            assertThat(target.getKind()).isEqualTo(deployment.getKind());
            assertThat(target.getName()).isEqualTo(deployment.getMetadata().getName());
            assertThat(hpa.getMetadata().getName()).as("the sessions variant replaces the CPU one")
                    .isEqualTo(autoscalers().get(0).getMetadata().getName());
            assertThat(hpa.getMetadata().getLabels()).isEqualTo(deployment.getMetadata().getLabels());
            assertThat(hpa.getSpec().getMinReplicas()).as("with the PDB's one disruption, a pod stays").isGreaterThanOrEqualTo(2);
            assertThat(hpa.getSpec().getMaxReplicas()).isGreaterThan(hpa.getSpec().getMinReplicas());
        }
        assertThat(deployment.getSpec().getReplicas()).as("the HPA owns the replica count").isNull();
    }

    @Test
    void topologySpreadsAcrossZonesAndNodesOverTheGatewayPods() {
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        List<TopologySpreadConstraint> constraints = pod.getTopologySpreadConstraints();
        assertThat(constraints).extracting(TopologySpreadConstraint::getTopologyKey)
                .containsExactlyInAnyOrder("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        for (TopologySpreadConstraint c : constraints) {
            assertThat(c.getMaxSkew()).isEqualTo(1);
            assertThat(c.getWhenUnsatisfiable()).isIn("ScheduleAnyway", "DoNotSchedule");
            assertThat(podLabels).containsAllEntriesOf(c.getLabelSelector().getMatchLabels());
        }
    }

    // --- ports and probes ---

    @Test
    void probesUseTheActuatorGroupsOnTheContainerPort() {
        assertThat(path(gateway.getStartupProbe())).isEqualTo(LIVENESS);
        assertThat(path(gateway.getLivenessProbe())).isEqualTo(LIVENESS);
        assertThat(path(gateway.getReadinessProbe())).isEqualTo(READINESS);
        int appPort = AppSettings.serverPort(config);
        for (Probe probe : List.of(gateway.getStartupProbe(), gateway.getLivenessProbe(), gateway.getReadinessProbe())) {
            assertThat(containerPort(gateway, probe.getHttpGet().getPort())).isEqualTo(appPort);
        }
        assertThat(gateway.getStartupProbe().getFailureThreshold() * gateway.getStartupProbe().getPeriodSeconds())
                .as("seconds a start may take").isGreaterThanOrEqualTo(60);
    }

    @Test
    void theServiceAndTheIngressReachTheContainerPort() {
        ServicePort port = service.getSpec().getPorts().get(0);
        assertThat(containerPort(gateway, port.getTargetPort())).isEqualTo(AppSettings.serverPort(config));
        Ingress ingress = Manifests.load("ingress.yaml", Ingress.class);
        List<IngressBackend> backends = ingress.getSpec().getRules().stream()
                .flatMap(r -> r.getHttp().getPaths().stream()).map(p -> p.getBackend()).toList();
        assertThat(backends).isNotEmpty();
        for (IngressBackend backend : backends) {
            assertThat(backend.getService().getName()).isEqualTo(service.getMetadata().getName());
            var ref = backend.getService().getPort();
            assertThat(service.getSpec().getPorts()).anyMatch(p -> ref.getName() != null ? ref.getName().equals(p.getName())
                    : ref.getNumber().equals(p.getPort()));
        }
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getPath()).isEqualTo("/");
    }

    @Test
    void theIngressKeepsIdleWebSocketsOpenWellPastTheHeartBeat() {
        Ingress ingress = Manifests.load("ingress.yaml", Ingress.class);
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        Duration heartBeat = AppSettings.heartBeat(config);
        for (String timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
            String value = annotations.get("nginx.ingress.kubernetes.io/" + timeout);
            assertThat(value).as(timeout).isNotNull().matches("\\d+");
            assertThat(Duration.ofSeconds(Long.parseLong(value))).as(timeout)
                    .isGreaterThanOrEqualTo(heartBeat.multipliedBy(6)).isGreaterThanOrEqualTo(Duration.ofSeconds(75));
        }
        assertThat(annotations).as("no sticky sessions").doesNotContainKeys("nginx.ingress.kubernetes.io/affinity",
                "nginx.ingress.kubernetes.io/upstream-hash-by");
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    }

    // --- shutdown ---

    @Test
    void theGracePeriodCoversPreStopDrainAndTheShutdownPhase() {
        Duration preStop = preStopSleep(gateway);
        Duration drain = AppSettings.duration(config.get("GATEWAY_DRAIN_PERIOD"));
        Duration phase = AppSettings.shutdownPhaseTimeout(config);
        Duration grace = Duration.ofSeconds(pod.getTerminationGracePeriodSeconds());
        assertThat(preStop).as("preStop sleep, so endpoints are gone before the drain").isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(drain).isPositive();
        assertThat(grace).as("terminationGracePeriodSeconds > preStop %s + drain %s + last flush + shutdown phase %s",
                preStop, drain, phase).isGreaterThan(preStop.plus(drain).plus(AppSettings.DRAIN_LAST_FLUSH).plus(phase));
    }

    @Test
    void theDrainPeriodIsExplicitInTheConfigMap() {
        assertThat(config).containsKey("GATEWAY_DRAIN_PERIOD");
        assertThat(AppSettings.fromEnv(config, "gateway.drain.period")).contains(config.get("GATEWAY_DRAIN_PERIOD"));
    }

    @Test
    void rollingUpdatesNeverDropCapacity() {
        var rolling = deployment.getSpec().getStrategy().getRollingUpdate();
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(rolling.getMaxUnavailable()).isEqualTo(new IntOrString(0));
        assertThat(rolling.getMaxSurge()).isNotEqualTo(new IntOrString(0));
    }

    // --- autoscaling ---

    @Test
    void autoscalersScaleUpFastAndDownOnePodAtATimeSlowly() {
        Duration grace = Duration.ofSeconds(pod.getTerminationGracePeriodSeconds());
        for (HorizontalPodAutoscaler hpa : autoscalers()) {
            var down = hpa.getSpec().getBehavior().getScaleDown();
            var up = hpa.getSpec().getBehavior().getScaleUp();
            assertThat(down.getStabilizationWindowSeconds()).isGreaterThanOrEqualTo(300);
            assertThat(up.getStabilizationWindowSeconds()).isLessThan(down.getStabilizationWindowSeconds());
            assertThat(down.getPolicies()).isNotEmpty();
            for (HPAScalingPolicy policy : down.getPolicies()) {
                assertThat(policy.getType()).isEqualTo("Pods");
                assertThat(policy.getValue()).isEqualTo(1);
                assertThat(Duration.ofSeconds(policy.getPeriodSeconds()))
                        .as("a scale-down step waits until the last pod removed has drained").isGreaterThan(grace);
            }
            assertThat(down.getSelectPolicy()).isIn("Min", null);
        }
    }

    @Test
    void theCpuAutoscalerIsTheDefaultAndTheSessionsOneDiffersOnlyInItsMetric() {
        List<HorizontalPodAutoscaler> hpas = autoscalers();
        HorizontalPodAutoscalerSpec cpu = hpas.get(0).getSpec();
        HorizontalPodAutoscalerSpec sessions = hpas.get(1).getSpec();
        assertThat(cpu.getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo("Resource");
            assertThat(m.getResource().getName()).isEqualTo("cpu");
            assertThat(m.getResource().getTarget().getType()).isEqualTo("Utilization");
        });
        assertThat(sessions.getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo("Pods");
            assertThat(m.getPods().getMetric().getName()).isEqualTo(KubernetesAgainstAppTest.SESSIONS_METRIC);
            assertThat(m.getPods().getTarget().getType()).isEqualTo("AverageValue");
            assertThat(m.getPods().getTarget().getAverageValue()).isNotNull();
        });
        assertThat(sessions.getBehavior()).isEqualTo(cpu.getBehavior());
        assertThat(sessions.getMinReplicas()).isEqualTo(cpu.getMinReplicas());
        assertThat(sessions.getMaxReplicas()).isEqualTo(cpu.getMaxReplicas());
        assertThat(sessions.getScaleTargetRef()).isEqualTo(cpu.getScaleTargetRef());
    }

    @Test
    void thePodMonitorScrapesTheGatewayPodsPrometheusEndpoint() {
        var monitor = Manifests.podMonitor();
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(monitor.spec().selector().getMatchLabels());
        assertThat(monitor.spec().podMetricsEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/actuator/prometheus");
            assertThat(containerPort(gateway, new IntOrString(e.port()))).isEqualTo(AppSettings.serverPort(config));
        });
    }

    // --- resources and security ---

    @Test
    void theGatewayHasRequestsAndLimits() {
        Map<String, Quantity> requests = gateway.getResources().getRequests();
        Map<String, Quantity> limits = gateway.getResources().getLimits();
        assertThat(requests).containsKeys("cpu", "memory");
        assertThat(limits).containsKeys("cpu", "memory");
        for (String resource : List.of("cpu", "memory")) {
            assertThat(Quantity.getAmountInBytes(limits.get(resource)))
                    .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(requests.get(resource)));
        }
    }

    @Test
    void theGatewayRunsAsNonRootOnAReadOnlyRootWithAWritableTmp() {
        var podSecurity = pod.getSecurityContext();
        assertThat(podSecurity.getRunAsNonRoot()).isTrue();
        assertThat(podSecurity.getRunAsUser()).isNotNull().isNotZero()
                .isEqualTo(Long.parseLong(DockerfileTest.runtimeUser()));
        var security = gateway.getSecurityContext();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).contains("ALL");
        VolumeMount tmp = gateway.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                .orElseThrow(() -> new AssertionError("no volume at /tmp"));
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + tmp.getName()));
        assertThat(volume.getEmptyDir()).isNotNull();
        assertThat(tmp.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getEnableServiceLinks()).as("no SERVER_PORT-like service link variables").isFalse();
    }

    // --- configuration and secrets ---

    @Test
    void theGatewayReadsTheConfigMapAndOnlySecretsHoldCredentials() {
        assertThat(gateway.getEnvFrom()).singleElement()
                .satisfies(e -> assertThat(e.getConfigMapRef().getName()).isEqualTo(configMap.getMetadata().getName()));
        for (EnvVar env : gateway.getEnv()) {
            if (env.getName().matches(".*(PASSWORD|SECRET|PUBLIC_KEY|USERNAME).*")) {
                assertThat(env.getValue()).as(env.getName() + " must come from a Secret").isNull();
                assertThat(env.getValueFrom().getSecretKeyRef()).as(env.getName()).isNotNull();
            }
        }
        assertThat(config.keySet()).noneMatch(k -> k.matches(".*(PASSWORD|SECRET|PUBLIC_KEY|USERNAME).*"));
        assertThat(config).containsEntry("GATEWAY_BROKER", "rabbitmq").containsEntry("GATEWAY_AUTH_MODE", "jwt");
        assertThat(gateway.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("GATEWAY_NODE_ID");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        });
    }

    @Test
    void everySecretReferenceIsDeclaredInTheExampleWithPlaceholderValues() {
        Map<String, Set<String>> declared = new HashMap<>();
        for (Secret secret : Manifests.loadAll("secret.example.yaml", Secret.class)) {
            declared.put(secret.getMetadata().getName(), secret.getStringData().keySet());
            secret.getStringData().forEach((key, value) -> {
                if (!key.equals("username")) {
                    assertThat(value).as(secret.getMetadata().getName() + "/" + key + " must be a placeholder")
                            .contains("REPLACE-ME");
                }
            });
        }
        String operatorSecret = Manifests.rabbitmqCluster().name() + "-default-user";
        declared.put(operatorSecret, Set.of("username", "password"));

        List<SecretKeySelector> refs = new ArrayList<>();
        Stream.of(gateway, Manifests.load("rabbitmq/statefulset/statefulset.yaml", StatefulSet.class).getSpec()
                        .getTemplate().getSpec().getContainers().get(0),
                        Manifests.load("rabbitmq/operator/gateway-credentials.yaml", Deployment.class).getSpec()
                                .getTemplate().getSpec().getContainers().get(0))
                .flatMap(c -> c.getEnv().stream())
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .forEach(e -> refs.add(e.getValueFrom().getSecretKeyRef()));
        assertThat(refs).hasSizeGreaterThanOrEqualTo(6);
        for (SecretKeySelector ref : refs) {
            assertThat(declared).as("Secret " + ref.getName()).containsKey(ref.getName());
            assertThat(declared.get(ref.getName())).as("Secret " + ref.getName()).contains(ref.getKey());
        }
    }

    // --- RabbitMQ variants ---

    @Test
    void theOperatorVariantIsWhatTheGatewayConnectsTo() {
        var cluster = Manifests.rabbitmqCluster();
        assertThat(cluster.name()).isEqualTo(config.get("SPRING_RABBITMQ_HOST"));
        assertThat(cluster.spec().replicas()).as("an odd number of RabbitMQ nodes").isOdd();
        Container patched = Manifests.load("rabbitmq/operator/gateway-credentials.yaml", Deployment.class).getSpec()
                .getTemplate().getSpec().getContainers().get(0);
        assertThat(patched.getName()).isEqualTo(gateway.getName());
        assertThat(patched.getEnv()).extracting(EnvVar::getName)
                .containsExactlyInAnyOrder("SPRING_RABBITMQ_USERNAME", "SPRING_RABBITMQ_PASSWORD");
        assertThat(gateway.getEnv()).extracting(EnvVar::getName).contains("SPRING_RABBITMQ_USERNAME", "SPRING_RABBITMQ_PASSWORD");
        assertThat(patched.getEnv()).allSatisfy(e ->
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(cluster.name() + "-default-user"));
    }

    @Test
    void theStatefulSetVariantIsWhatTheGatewayConnectsTo() {
        StatefulSet sts = Manifests.load("rabbitmq/statefulset/statefulset.yaml", StatefulSet.class);
        List<Service> services = Manifests.loadAll("rabbitmq/statefulset/service.yaml", Service.class);
        Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
        Container rabbit = sts.getSpec().getTemplate().getSpec().getContainers().get(0);

        Service client = services.stream().filter(s -> s.getMetadata().getName().equals(config.get("SPRING_RABBITMQ_HOST")))
                .findFirst().orElseThrow(() -> new AssertionError("no Service named SPRING_RABBITMQ_HOST"));
        assertThat(client.getSpec().getPorts()).anySatisfy(p ->
                assertThat(p.getPort()).isEqualTo(Integer.parseInt(config.get("SPRING_RABBITMQ_PORT"))));
        Service governing = services.stream().filter(s -> s.getMetadata().getName().equals(sts.getSpec().getServiceName()))
                .findFirst().orElseThrow(() -> new AssertionError("no Service " + sts.getSpec().getServiceName()));
        assertThat(governing.getSpec().getClusterIP()).isEqualTo("None");
        for (Service s : services) {
            assertThat(podLabels).as(s.getMetadata().getName()).containsAllEntriesOf(s.getSpec().getSelector());
            for (ServicePort p : s.getSpec().getPorts()) {
                assertThat(containerPort(rabbit, p.getTargetPort())).as(s.getMetadata().getName()).isNotNull();
            }
        }
        assertThat(matches(deployment.getSpec().getSelector().getMatchLabels(), podLabels)).isFalse();
        assertThat(rabbit.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/rabbitmq"));
        assertThat(sts.getSpec().getVolumeClaimTemplates()).anySatisfy(c ->
                assertThat(rabbit.getVolumeMounts()).anyMatch(m -> m.getName().equals(c.getMetadata().getName())));
        assertThat(rabbit.getImage()).startsWith("rabbitmq:").contains("management");
    }

    // --- helpers ---

    static List<HorizontalPodAutoscaler> autoscalers() {
        return List.of(Manifests.load("hpa.yaml", HorizontalPodAutoscaler.class),
                Manifests.load("autoscaling-sessions/hpa-sessions.yaml", HorizontalPodAutoscaler.class));
    }

    static String path(Probe probe) {
        assertThat(probe).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("an HTTP probe").isNotNull();
        return get.getPath();
    }

    /** The container port {@code port} (a name or a number) designates, or null. */
    static Integer containerPort(Container container, IntOrString port) {
        for (ContainerPort p : container.getPorts()) {
            if (port.getStrVal() != null ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort())) {
                return p.getContainerPort();
            }
        }
        return null;
    }

    static Duration preStopSleep(Container container) {
        var preStop = container.getLifecycle().getPreStop();
        if (preStop.getSleep() != null) {
            return Duration.ofSeconds(preStop.getSleep().getSeconds());
        }
        List<String> command = preStop.getExec().getCommand();
        assertThat(command).hasSize(2).first().isEqualTo("sleep");
        return Duration.ofSeconds(Long.parseLong(command.get(1)));
    }

    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
