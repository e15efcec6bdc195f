package io.stompgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.stompgate.deploy.CrdModels.Kustomization;
import io.stompgate.deploy.CrdModels.PodMonitorSpec;
import io.stompgate.deploy.CrdModels.RabbitmqClusterSpec;
import io.stompgate.deploy.StrictYaml.Doc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** The repository's deployment files (k8s/, docker/), read strictly into typed models. */
final class Manifests {

    /** Files in k8s/ that no kustomization may list: examples with placeholder values. */
    static final Set<String> NOT_APPLIED = Set.of("secret.example.yaml");

    /** Components that the root kustomization may leave out (alternatives and options, documented). */
    static final Set<String> OPTIONAL_COMPONENTS = Set.of("rabbitmq/operator", "rabbitmq/statefulset",
            "autoscaling-sessions");

    /** The RabbitMQ variants, of which the root kustomization uses exactly one. */
    static final List<String> RABBITMQ_VARIANTS = List.of("rabbitmq/operator", "rabbitmq/statefulset");

    /** apiVersion + kind → fabric8 model class. */
    static final Map<String, Class<?>> CORE_TYPES = Map.of(
            "v1 ConfigMap", ConfigMap.class,
            "v1 Secret", Secret.class,
            "v1 Service", Service.class,
            "apps/v1 Deployment", Deployment.class,
            "apps/v1 StatefulSet", StatefulSet.class,
            "autoscaling/v2 HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1 PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1 Ingress", Ingress.class);

    /** A custom resource: the generic object (metadata typed) and its spec in a typed mirror. */
    record Custom<S>(GenericKubernetesResource resource, S spec) {

        String name() {
            return resource.getMetadata().getName();
        }
    }

    private Manifests() {
    }

    static Path basedir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    }

    static Path k8s() {
        return basedir().resolve("k8s");
    }

    static Path docker() {
        return basedir().resolve("docker");
    }

    /** Every YAML file under {@code dir}, sorted. */
    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of every YAML file under k8s/. */
    static List<Doc> allDocuments() {
        List<Doc> docs = new ArrayList<>();
        for (Path file : yamlFiles(k8s())) {
            docs.addAll(StrictYaml.documents(file));
        }
        return docs;
    }

    /** {@code doc} in its typed model; fails for a document of a type without one. */
    static Object typed(Doc doc) {
        Class<?> core = CORE_TYPES.get(doc.type());
        if (core != null) {
            HasMetadata object = (HasMetadata) StrictYaml.convert(doc, doc.tree(), core);
            if (object.getMetadata() == null || object.getMetadata().getName() == null
                    || !object.getMetadata().getName().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
                throw new IllegalArgumentException(doc + ": metadata.name must be a DNS-1123 label");
            }
            return object;
        }
        return switch (doc.type()) {
            case "rabbitmq.com/v1beta1 RabbitmqCluster" -> {
                Custom<RabbitmqClusterSpec> cr = custom(doc, RabbitmqClusterSpec.class);
                if (!cr.spec().violations().isEmpty()) {
                    throw new IllegalArgumentException(doc + ": " + cr.spec().violations());
                }
                yield cr;
            }
            case "monitoring.coreos.com/v1 PodMonitor" -> custom(doc, PodMonitorSpec.class);
            case "kustomize.config.k8s.io/v1beta1 Kustomization", "kustomize.config.k8s.io/v1alpha1 Component" ->
                    StrictYaml.convert(doc, doc.tree(), Kustomization.class);
            default -> throw new IllegalArgumentException(doc + ": no typed model for '" + doc.type()
                    + "' (a misspelled apiVersion or kind, or a type to add to Manifests)");
        };
    }

    private static <S> Custom<S> custom(Doc doc, Class<S> specType) {
        GenericKubernetesResource resource = StrictYaml.convert(doc, doc.tree(), GenericKubernetesResource.class);
        Set<String> topLevel = new LinkedHashSet<>(resource.getAdditionalProperties().keySet());
        topLevel.remove("spec");
        if (!topLevel.isEmpty()) {
            throw new IllegalArgumentException(doc + ": unknown top-level fields " + topLevel);
        }
        JsonNode spec = doc.tree().get("spec");
        if (spec == null || !spec.isObject()) {
            throw new IllegalArgumentException(doc + ": no spec");
        }
        return new Custom<>(resource, StrictYaml.convert(doc, spec, specType));
    }

    /** The one document of {@code type} in the file at {@code relative} (to k8s/). */
    static <T> T load(String relative, Class<T> type) {
        List<T> all = loadAll(relative, type);
        if (all.size() != 1) {
            throw new IllegalStateException(relative + ": expected one " + type.getSimpleName() + ", found " + all.size());
        }
        return all.get(0);
    }

    /** The documents of {@code type} in the file at {@code relative} (to k8s/). */
    static <T> List<T> loadAll(String relative, Class<T> type) {
        Path file = k8s().resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("missing " + file);
        }
        return StrictYaml.documents(file).stream().map(Manifests::typed).filter(type::isInstance).map(type::cast).toList();
    }

    @SuppressWarnings("unchecked")
    static Custom<RabbitmqClusterSpec> rabbitmqCluster() {
        return load("rabbitmq/operator/rabbitmqcluster.yaml", Custom.class);
    }

    @SuppressWarnings("unchecked")
    static Custom<PodMonitorSpec> podMonitor() {
        return load("autoscaling-sessions/podmonitor.yaml", Custom.class);
    }

    static Kustomization kustomization(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        List<Doc> docs = StrictYaml.documents(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + ": expected one document");
        }
        return (Kustomization) typed(docs.get(0));
    }

    static ConfigMap configMap() {
        return load("configmap.yaml", ConfigMap.class);
    }

    static Deployment deployment() {
        return load("deployment.yaml", Deployment.class);
    }

    static Service service() {
        return load("service.yaml", Service.class);
    }
}
