package io.stompgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.stompgate.deploy.StrictYaml.Doc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every YAML document in k8s/ deserializes strictly into its typed Kubernetes model (fabric8's,
 * or a mirror of the CRD's schema), and the strictness is real: misspelled fields, wrong types,
 * duplicate keys and unknown kinds fail.
 */
class ManifestModelTest {

    @Test
    void everyDocumentInK8sFitsItsTypedModel() {
        List<Path> files = Manifests.yamlFiles(Manifests.k8s());
        assertThat(files).as("YAML files in k8s/").hasSizeGreaterThanOrEqualTo(10);
        List<String> problems = new ArrayList<>();
        int documents = 0;
        for (Path file : files) {
            try {
                List<Doc> docs = StrictYaml.documents(file);
                if (docs.isEmpty()) {
                    problems.add(file + ": no document");
                }
                for (Doc doc : docs) {
                    documents++;
                    try {
                        Manifests.typed(doc);
                    }
                    catch (RuntimeException e) {
                        problems.add(e.getMessage());
                    }
                }
            }
            catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        assertThat(problems).as("manifests that do not fit their model").isEmpty();
        assertThat(documents).isGreaterThanOrEqualTo(files.size());
    }

    @Test
    void theManifestsUseEveryKindTheDeploymentNeeds() {
        List<String> types = Manifests.allDocuments().stream().map(Doc::type).distinct().toList();
        assertThat(types).contains("v1 ConfigMap", "v1 Service", "v1 Secret", "apps/v1 Deployment",
                "apps/v1 StatefulSet", "autoscaling/v2 HorizontalPodAutoscaler", "policy/v1 PodDisruptionBudget",
                "networking.k8s.io/v1 Ingress", "rabbitmq.com/v1beta1 RabbitmqCluster",
                "kustomize.config.k8s.io/v1beta1 Kustomization", "kustomize.config.k8s.io/v1alpha1 Component");
    }

    // --- the strictness itself: each of these must fail ---

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
              labels:
                app: demo
            spec:
              selector:
                matchLabels:
                  app: demo
              template:
                metadata:
                  labels:
                    app: demo
                spec:
                  containers:
                    - name: app
                      image: demo:1
                      ports:
                        - containerPort: 8080
                      env:
                        - name: A
                          value: "1"
                      readinessProbe:
                        httpGet:
                          path: /ready
                          port: 8080
            """;

    private static Object read(String yaml) {
        List<Doc> docs = StrictYaml.documents(Path.of("inline.yaml"), yaml);
        assertThat(docs).hasSize(1);
        return Manifests.typed(docs.get(0));
    }

    @Test
    void aWellFormedDeploymentIsRead() {
        Deployment d = (Deployment) read(DEPLOYMENT);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath())
                .isEqualTo("/ready");
    }

    @Test
    void aMisspelledSpecFieldFails() {
        assertThatThrownBy(() -> read(DEPLOYMENT.replace("  selector:", "  selectr:")))
                .hasMessageContaining("Unrecognized field \"selectr\"");
    }

    @Test
    void aMisspelledFieldDeepInTheTreeFails() {
        assertThatThrownBy(() -> read(DEPLOYMENT.replace("path: /ready", "paht: /ready")))
                .hasMessageContaining("Unrecognized field \"paht\"");
    }

    @Test
    void aMisspelledMetadataFieldFails() {
        assertThatThrownBy(() -> read(DEPLOYMENT.replace("  labels:\n    app: demo\nspec:", "  lables:\n    app: demo\nspec:")))
                .hasMessageContaining("Unrecognized field \"lables\"");
    }

    @Test
    void aNumberWhereKubernetesWantsAStringFails() {
        assertThatThrownBy(() -> read(DEPLOYMENT.replace("value: \"1\"", "value: 1")))
                .hasMessageContaining("Cannot coerce Integer value (1) to `java.lang.String`")
                .hasMessageContaining("EnvVar[\"value\"]");
    }

    @Test
    void aStringWhereKubernetesWantsANumberFails() {
        assertThatThrownBy(() -> read(DEPLOYMENT.replace("containerPort: 8080", "containerPort: \"8080\"")))
                .hasMessageContaining("Cannot coerce String value (\"8080\")")
                .hasMessageContaining("ContainerPort[\"containerPort\"]");
    }

    @Test
    void aDuplicateKeyFails() {
        assertThatThrownBy(() -> read(DEPLOYMENT.replace("image: demo:1\n", "image: demo:1\n          image: demo:2\n")))
                .hasMessageContaining("Duplicate field 'image'");
    }

    @Test
    void anUnknownApiVersionOrKindFails() {
        assertThatThrownBy(() -> read(DEPLOYMENT.replace("apiVersion: apps/v1", "apiVersion: apps/v1beta2")))
                .hasMessageContaining("no typed model");
        assertThatThrownBy(() -> read(DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnet")))
                .hasMessageContaining("no typed model");
    }

    @Test
    void theCatchAllWalkerFindsUnknownFieldsTheModelWouldHaveKept() {
        Deployment d = (Deployment) read(DEPLOYMENT);
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setAdditionalProperty("imagePullPolicyy", "Always");
        assertThat(StrictYaml.catchAllEntries(d)).containsExactly("$.spec.template.spec.containers[0].imagePullPolicyy");
    }

    private static final String RABBITMQ_CLUSTER = """
            apiVersion: rabbitmq.com/v1beta1
            kind: RabbitmqCluster
            metadata:
              name: rmq
            spec:
              replicas: 3
              service:
                type: ClusterIP
              resources:
                requests:
                  cpu: 500m
            """;

    @Test
    void aRabbitmqClusterIsCheckedAgainstTheOperatorsSchema() {
        assertThat(read(RABBITMQ_CLUSTER)).isInstanceOf(Manifests.Custom.class);
        assertThatThrownBy(() -> read(RABBITMQ_CLUSTER.replace("replicas:", "replica:")))
                .hasMessageContaining("Unrecognized field \"replica\"");
        assertThatThrownBy(() -> read(RABBITMQ_CLUSTER.replace("type: ClusterIP", "type: Headless")))
                .hasMessageContaining("spec.service.type");
        assertThatThrownBy(() -> read(RABBITMQ_CLUSTER.replace("cpu: 500m", "cpu: 500m\n    cpus: 1")))
                .hasMessageContaining("Unrecognized field \"cpus\"");
        assertThatThrownBy(() -> read(RABBITMQ_CLUSTER + "specs: {}\n"))
                .hasMessageContaining("unknown top-level fields [specs]");
    }

    @Test
    void aKustomizationWithAMisspelledOrDeprecatedFieldFails() {
        String kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - a.yaml\n";
        assertThat(read(kustomization)).isInstanceOf(CrdModels.Kustomization.class);
        assertThatThrownBy(() -> read(kustomization.replace("resources:", "resource:")))
                .hasMessageContaining("Unrecognized field \"resource\"");
        assertThatThrownBy(() -> read(kustomization.replace("resources:", "patchesStrategicMerge:")))
                .hasMessageContaining("Unrecognized field \"patchesStrategicMerge\"");
    }

    @Test
    void theRealDeploymentWithOneFieldMisspelledFails() throws Exception {
        String text = Files.readString(Manifests.k8s().resolve("deployment.yaml"));
        assertThat(text).contains("terminationGracePeriodSeconds:");
        assertThatThrownBy(() -> read(text.replace("terminationGracePeriodSeconds:", "terminationGracePeriodSecond:")))
                .hasMessageContaining("Unrecognized field \"terminationGracePeriodSecond\"");
    }
}
