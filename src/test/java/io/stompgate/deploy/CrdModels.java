package io.stompgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * Typed mirrors of the non-core objects in k8s/, for which fabric8's core model has no class:
 * read strictly by {@link StrictYaml} (an unknown or misspelled field fails), with the
 * schema's own constraints checked where the mirror says so. Core types inside them (resources,
 * affinity, label selectors) are fabric8's, read just as strictly.
 */
final class CrdModels {

    private CrdModels() {
    }

    /**
     * {@code rabbitmq.com/v1beta1 RabbitmqCluster} spec, the fields of the RabbitMQ Cluster
     * Operator's {@code RabbitmqClusterSpec} (api/v1beta1/rabbitmqcluster_types.go).
     */
    record RabbitmqClusterSpec(
            Integer replicas,
            String image,
            List<LocalObjectReference> imagePullSecrets,
            ServiceSpec service,
            Persistence persistence,
            ResourceRequirements resources,
            Affinity affinity,
            List<Toleration> tolerations,
            RabbitmqConfig rabbitmq,
            Tls tls,
            Map<String, JsonNode> override,
            Boolean skipPostDeploySteps,
            Long terminationGracePeriodSeconds,
            Map<String, JsonNode> secretBackend) {

        /** The operator's schema: replicas >= 0, service type one of three, plugin names and config sizes limited. */
        List<String> violations() {
            List<String> v = new java.util.ArrayList<>();
            if (replicas != null && replicas < 0) {
                v.add("spec.replicas must be >= 0");
            }
            if (service != null && service.type() != null
                    && !List.of("ClusterIP", "LoadBalancer", "NodePort").contains(service.type())) {
                v.add("spec.service.type must be ClusterIP, LoadBalancer or NodePort, was " + service.type());
            }
            if (rabbitmq != null) {
                if (rabbitmq.additionalPlugins() != null) {
                    if (rabbitmq.additionalPlugins().size() > 100) {
                        v.add("spec.rabbitmq.additionalPlugins: at most 100");
                    }
                    rabbitmq.additionalPlugins().stream().filter(p -> !p.matches("\\w+") || p.length() > 100)
                            .forEach(p -> v.add("spec.rabbitmq.additionalPlugins: bad plugin name " + p));
                }
                if (rabbitmq.additionalConfig() != null && rabbitmq.additionalConfig().length() > 2000) {
                    v.add("spec.rabbitmq.additionalConfig: at most 2000 characters");
                }
            }
            if (terminationGracePeriodSeconds != null && terminationGracePeriodSeconds < 0) {
                v.add("spec.terminationGracePeriodSeconds must be >= 0");
            }
            return v;
        }
    }

    record ServiceSpec(String type, Map<String, String> annotations) {
    }

    record Persistence(String storageClassName, Quantity storage) {
    }

    record RabbitmqConfig(List<String> additionalPlugins, String additionalConfig, String advancedConfig,
            String envConfig) {
    }

    record Tls(String secretName, String caSecretName, Boolean disableNonTLSListeners) {
    }

    /** {@code monitoring.coreos.com/v1 PodMonitor} spec: the Prometheus Operator's fields (a subset; others fail). */
    record PodMonitorSpec(
            String jobLabel,
            List<String> podTargetLabels,
            List<PodMetricsEndpoint> podMetricsEndpoints,
            LabelSelector selector,
            Map<String, JsonNode> namespaceSelector,
            Long sampleLimit) {
    }

    record PodMetricsEndpoint(String port, String path, String scheme, String interval, String scrapeTimeout,
            Boolean honorLabels, List<Map<String, JsonNode>> relabelings, List<Map<String, JsonNode>> metricRelabelings) {
    }

    /**
     * A {@code kustomize.config.k8s.io} Kustomization (v1beta1) or Component (v1alpha1): the fields
     * kustomize knows, less the deprecated ones ({@code patchesStrategicMerge}, {@code bases},
     * {@code commonLabels}, {@code vars}), which fail here.
     */
    record Kustomization(
            String apiVersion,
            String kind,
            Map<String, JsonNode> metadata,
            String namespace,
            String namePrefix,
            String nameSuffix,
            List<String> resources,
            List<String> components,
            List<Patch> patches,
            List<Map<String, JsonNode>> images,
            List<Map<String, JsonNode>> replicas,
            List<Map<String, JsonNode>> labels,
            Map<String, String> commonAnnotations,
            List<Map<String, JsonNode>> configMapGenerator,
            List<Map<String, JsonNode>> secretGenerator,
            Map<String, JsonNode> generatorOptions,
            List<String> buildMetadata) {

        List<String> resourceList() {
            return resources == null ? List.of() : resources;
        }

        List<String> componentList() {
            return components == null ? List.of() : components;
        }

        List<Patch> patchList() {
            return patches == null ? List.of() : patches;
        }
    }

    record Patch(String path, String patch, Map<String, String> target, Map<String, Boolean> options) {
    }
}
