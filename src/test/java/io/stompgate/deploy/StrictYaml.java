package io.stompgate.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * YAML read as Kubernetes' API server would: into typed classes (fabric8's Kubernetes
 * model, or the mirrors in {@link CrdModels}), rejecting what the server would reject and
 * what Jackson would silently accept.
 *
 * <ul>
 * <li>Unknown fields fail. fabric8's model classes catch every unknown field in an
 * {@code additionalProperties} map (a {@code @JsonAnySetter}), so
 * {@code FAIL_ON_UNKNOWN_PROPERTIES} alone would never fire: the any-setter is removed from
 * every fabric8 class but {@link GenericKubernetesResource}, and {@link #catchAllEntries} walks
 * the result as a second line.</li>
 * <li>Duplicate keys fail.</li>
 * <li>No scalar coercion: {@code containerPort: "8080"} or {@code value: 8080} (an env value,
 * a ConfigMap entry, an annotation must be a string) fail, as they do in Kubernetes.</li>
 * </ul>
 */
final class StrictYaml {

    static final ObjectMapper MAPPER = strictMapper();

    private StrictYaml() {
    }

    private static ObjectMapper strictMapper() {
        SimpleModule noCatchAll = new SimpleModule("no-catch-all");
        noCatchAll.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                    BeanDeserializerBuilder builder) {
                Class<?> type = description.getBeanClass();
                if (builder.getAnySetter() != null && type.getName().startsWith("io.fabric8.")
                        && type != GenericKubernetesResource.class) {
                    builder.setAnySetter(null);
                }
                return builder;
            }
        });
        YAMLMapper mapper = YAMLMapper.builder(YAMLFactory.builder()
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .addModule(noCatchAll)
                .build();
        for (LogicalType scalar : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(scalar).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
            mapper.coercionConfigFor(scalar).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean}) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }

    /** One YAML document of a file: where it is, and its tree. */
    record Doc(Path file, int index, JsonNode tree) {

        String apiVersion() {
            return tree.path("apiVersion").asText("");
        }

        String kind() {
            return tree.path("kind").asText("");
        }

        String name() {
            return tree.path("metadata").path("name").asText("");
        }

        String type() {
            return apiVersion() + " " + kind();
        }

        @Override
        public String toString() {
            return file.getFileName() + "#" + index + " (" + type() + " " + name() + ")";
        }
    }

    /** The non-empty documents of a YAML file, each checked for duplicate keys. */
    static List<Doc> documents(Path file) {
        String text;
        try {
            text = Files.readString(file);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents(file, text);
    }

    static List<Doc> documents(Path file, String text) {
        List<Doc> docs = new ArrayList<>();
        try (JsonParser parser = MAPPER.getFactory().createParser(text);
                MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(parser)) {
            int index = 0;
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    docs.add(new Doc(file, index, node));
                }
                index++;
            }
        }
        catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        return docs;
    }

    /** {@code node} as {@code type}, strictly; the message names the document and the offending field. */
    static <T> T convert(Doc doc, JsonNode node, Class<T> type) {
        T value;
        try {
            value = MAPPER.treeToValue(node, type);
        }
        catch (IOException e) {
            throw new IllegalArgumentException(doc + ": does not fit " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        List<String> caught = catchAllEntries(value);
        if (!caught.isEmpty()) {
            throw new IllegalArgumentException(doc + ": unknown fields " + caught);
        }
        return value;
    }

    /**
     * Every entry in an {@code additionalProperties} catch-all anywhere in {@code root}'s fabric8
     * object graph (top-level {@link GenericKubernetesResource} excepted: that is where a custom
     * resource keeps its spec), as {@code path.key}.
     */
    static List<String> catchAllEntries(Object root) {
        List<String> found = new ArrayList<>();
        walk(root, "$", found, Collections.newSetFromMap(new IdentityHashMap<>()), true);
        return found;
    }

    private static void walk(Object value, String path, List<String> found, Set<Object> seen, boolean top) {
        if (value == null || !seen.add(value)) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, found, seen, false));
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object v : list) {
                walk(v, path + "[" + i++ + "]", found, seen, false);
            }
            return;
        }
        Class<?> type = value.getClass();
        if (!type.getName().startsWith("io.fabric8.") && !type.getName().startsWith("io.stompgate.")) {
            return;
        }
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class
                    || m.getReturnType().isPrimitive() || m.getReturnType() == String.class) {
                continue;
            }
            boolean getter = m.getName().startsWith("get") || type.isRecord() && isRecordAccessor(type, m);
            if (!getter) {
                continue;
            }
            Object child;
            try {
                child = m.invoke(value);
            }
            catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties") && child instanceof Map<?, ?> extra) {
                if (!(top && value instanceof GenericKubernetesResource)) {
                    extra.keySet().forEach(k -> found.add(path + "." + k));
                }
                continue;
            }
            String name = m.getName().startsWith("get") && m.getName().length() > 3
                    ? Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4) : m.getName();
            walk(child, path + "." + name, found, seen, false);
        }
    }

    private static boolean isRecordAccessor(Class<?> type, Method m) {
        for (var component : type.getRecordComponents()) {
            if (component.getAccessor().equals(m)) {
                return true;
            }
        }
        return false;
    }
}
