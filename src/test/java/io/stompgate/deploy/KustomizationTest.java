package io.stompgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.deploy.CrdModels.Kustomization;
import io.stompgate.deploy.CrdModels.Patch;
import io.stompgate.deploy.StrictYaml.Doc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/kustomization.yaml (and each component's) lists every manifest meant to be applied, and
 * nothing that is missing or must not be applied; the root picks exactly one RabbitMQ variant.
 */
class KustomizationTest {

    @Test
    void everyManifestIsListedAndEveryListedFileExists() {
        assertThat(problems(Manifests.k8s())).isEmpty();
    }

    @Test
    void theRootUsesExactlyOneRabbitMqVariant() {
        Kustomization root = Manifests.kustomization(Manifests.k8s());
        assertThat(root.kind()).isEqualTo("Kustomization");
        assertThat(root.componentList().stream().filter(Manifests.RABBITMQ_VARIANTS::contains)).hasSize(1);
        for (String variant : Manifests.RABBITMQ_VARIANTS) {
            assertThat(Manifests.kustomization(Manifests.k8s().resolve(variant)).kind()).as(variant).isEqualTo("Component");
        }
    }

    @Test
    void everyCombinationOfComponentsHasUniqueObjects() {
        for (String variant : Manifests.RABBITMQ_VARIANTS) {
            for (boolean sessions : new boolean[] {false, true}) {
                List<String> components = new ArrayList<>(List.of(variant));
                if (sessions) {
                    components.add("autoscaling-sessions");
                }
                List<String> ids = new ArrayList<>();
                for (Path file : appliedFiles(Manifests.k8s(), components)) {
                    StrictYaml.documents(file).forEach(d -> ids.add(d.kind() + "/" + d.name()));
                }
                assertThat(ids).as("objects with " + components).doesNotHaveDuplicates()
                        .contains("Deployment/stompgate", "Service/stompgate", "HorizontalPodAutoscaler/stompgate",
                                "PodDisruptionBudget/stompgate", "ConfigMap/stompgate", "Ingress/stompgate");
                assertThat(ids).as("RabbitMQ with " + components).anyMatch(id -> id.endsWith("/stompgate-rabbitmq"));
            }
        }
    }

    @Test
    void everyPatchTargetsAnObjectOfTheBase() {
        Set<String> base = new HashSet<>();
        for (Path file : appliedFiles(Manifests.k8s(), List.of())) {
            StrictYaml.documents(file).forEach(d -> base.add(d.type() + "/" + d.name()));
        }
        List<String> orphans = new ArrayList<>();
        for (Path dir : kustomizationDirs(Manifests.k8s())) {
            for (Patch patch : Manifests.kustomization(dir).patchList()) {
                for (Doc doc : StrictYaml.documents(dir.resolve(patch.path()))) {
                    if (!base.contains(doc.type() + "/" + doc.name())) {
                        orphans.add(doc.toString());
                    }
                }
            }
        }
        assertThat(base).isNotEmpty();
        assertThat(orphans).as("patches whose target is not in k8s/kustomization.yaml's resources").isEmpty();
    }

    @Test
    void everyManifestAndComponentIsDocumented() throws IOException {
        String docs = Files.readString(Manifests.basedir().resolve("docs/deploying.md"));
        List<String> undocumented = new ArrayList<>();
        for (Path file : yamlFilesIn(Manifests.k8s())) {
            String name = file.getFileName().toString();
            if (!name.equals("kustomization.yaml") && !docs.contains("`" + name + "`")) {
                undocumented.add(name);
            }
        }
        for (Path dir : kustomizationDirs(Manifests.k8s())) {
            String relative = Manifests.k8s().relativize(dir).toString().replace('\\', '/');
            if (!relative.isEmpty() && !docs.contains(relative)) {
                undocumented.add(relative + "/");
            }
        }
        assertThat(undocumented).as("k8s/ entries docs/deploying.md does not mention").isEmpty();
    }

    // --- the checker finds what it should ---

    @Test
    void anUnlistedManifestAMissingFileAndAListedExampleAreFound(@TempDir Path copy) throws IOException {
        copyTree(Manifests.k8s(), copy);
        assertThat(problems(copy)).isEmpty();

        Files.writeString(copy.resolve("extra.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n");
        Files.delete(copy.resolve("pdb.yaml"));
        Files.writeString(copy.resolve("autoscaling-sessions/stray.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
        String root = Files.readString(copy.resolve("kustomization.yaml"));
        Files.writeString(copy.resolve("kustomization.yaml"), root.replace("  - ingress.yaml\n",
                "  - ingress.yaml\n  - secret.example.yaml\n  - ingress.yaml\n"));
        Files.createDirectories(copy.resolve("loose"));
        Files.writeString(copy.resolve("loose/thing.yaml"), "apiVersion: v1\nkind: ConfigMap\n");

        assertThat(problems(copy)).anyMatch(p -> p.contains("extra.yaml") && p.contains("not listed"))
                .anyMatch(p -> p.contains("pdb.yaml") && p.contains("does not exist"))
                .anyMatch(p -> p.contains("stray.yaml") && p.contains("not listed"))
                .anyMatch(p -> p.contains("secret.example.yaml") && p.contains("must not be applied"))
                .anyMatch(p -> p.contains("ingress.yaml") && p.contains("twice"))
                .anyMatch(p -> p.contains("loose") && p.contains("no kustomization.yaml"));
    }

    @Test
    void aComponentNeitherUsedNorKnownAsOptionalIsFound(@TempDir Path copy) throws IOException {
        copyTree(Manifests.k8s(), copy);
        Files.createDirectories(copy.resolve("extras"));
        Files.writeString(copy.resolve("extras/kustomization.yaml"),
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n");
        assertThat(problems(copy)).anyMatch(p -> p.contains("extras") && p.contains("neither used"));
    }

    /** What is wrong with the kustomizations under {@code root}; empty when all is well. */
    static List<String> problems(Path root) {
        List<String> problems = new ArrayList<>();
        Set<Path> dirsWithYaml = new LinkedHashSet<>();
        for (Path file : Manifests.yamlFiles(root)) {
            dirsWithYaml.add(file.getParent());
        }
        for (Path dir : dirsWithYaml) {
            if (!Files.isRegularFile(dir.resolve("kustomization.yaml"))) {
                problems.add(root.relativize(dir) + ": YAML files but no kustomization.yaml");
            }
        }
        Set<Path> listedAnywhere = new HashSet<>();
        for (Path dir : kustomizationDirs(root)) {
            Kustomization k;
            try {
                k = Manifests.kustomization(dir);
            }
            catch (RuntimeException e) {
                problems.add(e.getMessage());
                continue;
            }
            String where = root.relativize(dir.resolve("kustomization.yaml")).toString();
            List<String> entries = new ArrayList<>(k.resourceList());
            k.patchList().forEach(p -> {
                if (p.path() == null) {
                    problems.add(where + ": an inline patch; keep patches in files so they are validated");
                }
                else {
                    entries.add(p.path());
                }
            });
            Set<String> seen = new HashSet<>();
            for (String entry : entries) {
                if (!seen.add(entry)) {
                    problems.add(where + ": lists " + entry + " twice");
                }
                Path target = dir.resolve(entry).normalize();
                if (!target.startsWith(root) || entry.contains("://")) {
                    problems.add(where + ": " + entry + " is outside k8s/");
                    continue;
                }
                if (Manifests.NOT_APPLIED.contains(target.getFileName().toString())) {
                    problems.add(where + ": lists " + entry + ", which must not be applied (placeholders only)");
                }
                if (Files.isDirectory(target)) {
                    if (!Files.isRegularFile(target.resolve("kustomization.yaml"))) {
                        problems.add(where + ": " + entry + " is a folder without kustomization.yaml");
                    }
                }
                else if (!Files.isRegularFile(target)) {
                    problems.add(where + ": " + entry + " does not exist");
                }
                listedAnywhere.add(target);
            }
            for (String component : k.componentList()) {
                Path target = dir.resolve(component).normalize();
                if (!Files.isRegularFile(target.resolve("kustomization.yaml"))) {
                    problems.add(where + ": component " + component + " does not exist");
                }
                else if (!"Component".equals(Manifests.kustomization(target).kind())) {
                    problems.add(where + ": component " + component + " is not a kind: Component");
                }
            }
            for (Path file : yamlFilesIn(dir)) {
                String name = file.getFileName().toString();
                if (!name.equals("kustomization.yaml") && !Manifests.NOT_APPLIED.contains(name)
                        && !listedAnywhere.contains(file) && entries.stream().noneMatch(e -> dir.resolve(e).normalize().equals(file))) {
                    problems.add(root.relativize(file) + " is not listed in " + where);
                }
            }
        }
        Path rootFile = root.resolve("kustomization.yaml");
        if (!Files.isRegularFile(rootFile)) {
            problems.add("no k8s/kustomization.yaml");
            return problems;
        }
        Kustomization rootKustomization = Manifests.kustomization(root);
        for (Path dir : kustomizationDirs(root)) {
            if (dir.equals(root)) {
                continue;
            }
            String relative = root.relativize(dir).toString().replace('\\', '/');
            if ("Component".equals(Manifests.kustomization(dir).kind())
                    && !rootKustomization.componentList().contains(relative)
                    && !Manifests.OPTIONAL_COMPONENTS.contains(relative)) {
                problems.add("component " + relative + " is neither used by k8s/kustomization.yaml nor a known option");
            }
        }
        return problems;
    }

    /** The manifest files `kubectl apply -k` would read with the root's resources and {@code components}. */
    static List<Path> appliedFiles(Path root, List<String> components) {
        List<Path> files = new ArrayList<>();
        Kustomization k = Manifests.kustomization(root);
        k.resourceList().forEach(r -> files.add(root.resolve(r).normalize()));
        for (String component : components) {
            Path dir = root.resolve(component);
            Manifests.kustomization(dir).resourceList().forEach(r -> files.add(dir.resolve(r).normalize()));
        }
        return files;
    }

    static List<Path> kustomizationDirs(Path root) {
        return Manifests.yamlFiles(root).stream().filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                .map(Path::getParent).toList();
    }

    private static List<Path> yamlFilesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                }
                else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
