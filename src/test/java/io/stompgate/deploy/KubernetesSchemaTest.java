package io.stompgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.stompgate.testing.NeedsNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/ against the Kubernetes API's own schemas, with no cluster: {@code k8s-schema/validate.mjs}
 * checks every manifest with the JSON schema of its kind from the Kubernetes 1.33 OpenAPI
 * (npm {@code kubernetes-models}) or the Prometheus Operator's CRDs, where fabric8's model
 * ({@link KubernetesManifestsTest}) checks field names but not formats, enums, patterns or
 * required fields. The RabbitmqCluster has no packaged schema: {@link CrdModels} mirrors it.
 *
 * <p>Never skipped: without node or k8s-schema's npm packages it fails and says what to run
 * ({@code .ci/run} installs them).
 */
@NeedsNode
class KubernetesSchemaTest {

    private static final Pattern LINE = Pattern.compile("^(OK|FAIL|NOSCHEMA) ([^:#]+)(#\\d+)?: (.*)$");

    /** Documents whose kind no package holds a schema for, by file under k8s/. */
    static final Set<String> NO_PACKAGED_SCHEMA = Set.of("rabbitmq/operator/rabbitmqcluster.yaml");

    record Result(int exitCode, String output, Map<String, List<String>> statusByFile) {
    }

    @Test
    void everyManifestFitsTheSchemaOfItsKind() throws Exception {
        Result result = validate(Manifests.k8s());
        assertThat(result.exitCode()).as("exit code of validate.mjs; its output:%n%s", result.output()).isZero();
        Set<String> expected = new TreeSet<>();
        for (Path file : Manifests.yamlFiles(Manifests.k8s())) {
            if (!file.getFileName().toString().startsWith("kustomization.")) {
                expected.add(Manifests.k8s().relativize(file).toString());
            }
        }
        assertThat(result.statusByFile().keySet()).as("files checked").containsExactlyInAnyOrderElementsOf(expected);
        result.statusByFile().forEach((file, statuses) -> {
            String wanted = NO_PACKAGED_SCHEMA.contains(file) ? "NOSCHEMA" : "OK";
            assertThat(statuses).as(file + "; output:%n%s", result.output()).isNotEmpty().containsOnly(wanted);
        });
    }

    /**
     * The check can fail: a wrong type (YAML 1.1's {@code on} is a boolean, as Kubernetes
     * reads it), a value outside an enum, a malformed quantity, a missing required field and an
     * unknown kind are each reported with their path; a patch (listed under a kustomization's
     * {@code patches}) needs no required fields but still its types.
     */
    @Test
    void aManifestThatBreaksItsSchemaIsRefusedWithThePath(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("deployment.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: broken
                spec:
                  replicas: "2"
                  template:
                    spec:
                      containers:
                        - name: gateway
                          image: stompgate:0.1.0
                          imagePullPolicy: Sometimes
                          resources:
                            limits:
                              memory: lots
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: broken
                spec:
                  ports:
                    - port: on
                """);
        Files.writeString(dir.resolve("widget.yaml"), "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
        Files.createDirectories(dir.resolve("component"));
        Files.writeString(dir.resolve("component/patch.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: broken
                spec:
                  template:
                    spec:
                      terminationGracePeriodSeconds: soon
                """);
        Files.writeString(dir.resolve("component/good-patch.yaml"), "apiVersion: apps/v1\nkind: Deployment\n"
                + "metadata:\n  name: fine\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 90\n");
        Files.writeString(dir.resolve("component/kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1alpha1\n"
                + "kind: Component\npatches:\n  - path: patch.yaml\n  - path: good-patch.yaml\n");

        Result result = validate(dir);
        assertThat(result.exitCode()).as("exit code; output:%n%s", result.output()).isEqualTo(1);
        assertThat(result.statusByFile()).containsOnly(Map.entry("deployment.yaml", List.of("FAIL", "FAIL")),
                Map.entry("widget.yaml", List.of("FAIL")), Map.entry("component/patch.yaml", List.of("FAIL")),
                Map.entry("component/good-patch.yaml", List.of("OK")));
        assertThat(result.output())
                .contains("/spec must have required property selector")
                .contains("/spec/replicas must be integer")
                .contains("/spec/template/spec/containers/0/imagePullPolicy must be equal to one of the allowed values")
                .contains("/spec/template/spec/containers/0/resources/limits/memory must match format \"quantity\"")
                .contains("/spec/ports/0/port must be integer")
                .contains("example.com/v1 Widget w: no schema")
                .contains("/spec/template/spec/terminationGracePeriodSeconds must be integer");
        assertThat(result.output().lines().filter(l -> l.contains("required property")).count())
                .as("only the full Deployment misses a required field").isEqualTo(1);
    }

    /** Runs k8s-schema/validate.mjs on {@code dir}; statuses per file, relative to {@code dir}. */
    static Result validate(Path dir) throws IOException, InterruptedException {
        Path base = Manifests.basedir();
        if (nodeVersion() == null) {
            fail("The Kubernetes schema check needs Node.js (>= 18) on the PATH: apt-get install -y nodejs npm "
                    + "(then npm ci --prefix k8s-schema); .ci/run does this");
        }
        if (!Files.isDirectory(base.resolve("k8s-schema/node_modules/kubernetes-models"))) {
            fail("The Kubernetes schema check needs its npm packages in " + base.resolve("k8s-schema/node_modules")
                    + ": run 'npm ci --prefix k8s-schema' (.ci/run does this)");
        }
        Process process = new ProcessBuilder("node", base.resolve("k8s-schema/validate.mjs").toString(), ".")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("validate.mjs did not finish within 60 s");
        }
        String output = new String(out, StandardCharsets.UTF_8);
        System.out.println("--- node k8s-schema/validate.mjs " + dir + "\n" + output);
        Map<String, List<String>> statusByFile = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                statusByFile.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(m.group(1));
            }
        }
        return new Result(process.exitValue(), output, statusByFile);
    }

    private static String nodeVersion() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? version : null;
        }
        catch (IOException e) {
            return null;
        }
    }
}
