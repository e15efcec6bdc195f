package io.stompgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/openapi.yaml says what the code does: the paths and their statuses, the key
 * header, and the request and response fields the records define.
 */
class OpenApiDocumentTest {

    static final JsonNode DOC = read();

    private static JsonNode read() {
        try {
            YAMLMapper yaml = YAMLMapper.builder(YAMLFactory.builder().build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
            return yaml.readTree(Path.of("docs/openapi.yaml").toFile());
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> components(Class<? extends Record> type) {
        return new TreeSet<>(Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList());
    }

    private static JsonNode schema(String name) {
        return DOC.path("components").path("schemas").path(name);
    }

    @Test
    void isAnOpenApi3DocumentWithThePathsTheApiServes() {
        assertThat(DOC.path("openapi").asText()).startsWith("3.");
        assertThat(fieldNames(DOC.path("paths"))).containsExactlyInAnyOrder(ApiRoutes.PUBLISH_PATH,
                ApiRoutes.PRESENCE_PATH);
        assertThat(fieldNames(DOC.path("paths").path(ApiRoutes.PUBLISH_PATH))).containsExactly("post");
        assertThat(fieldNames(DOC.path("paths").path(ApiRoutes.PRESENCE_PATH))).containsExactly("get");
    }

    @Test
    void listsEveryStatusTheRoutesAnswer() {
        JsonNode responses = DOC.path("paths").path(ApiRoutes.PUBLISH_PATH).path("post").path("responses");

        assertThat(fieldNames(responses)).containsExactlyInAnyOrder("200", "400", "401", "404", "405", "503");
        assertThat(fieldNames(DOC.path("paths").path(ApiRoutes.PRESENCE_PATH).path("get").path("responses")))
                .containsExactlyInAnyOrder("200", "400", "401", "404", "405");
    }

    @Test
    void theKeyTravelsInTheHeaderTheRoutesCheck() {
        JsonNode scheme = DOC.path("components").path("securitySchemes").path("apiKey");

        assertThat(scheme.path("type").asText()).isEqualTo("apiKey");
        assertThat(scheme.path("in").asText()).isEqualTo("header");
        assertThat(scheme.path("name").asText()).isEqualTo(ApiRoutes.KEY_HEADER);
        assertThat(DOC.path("security").get(0).has("apiKey")).isTrue();
    }

    @Test
    void schemasHaveTheFieldsOfTheRecordsThatAreReadAndWritten() {
        assertThat(fieldNames(schema("PublishRequest").path("properties"))).isEqualTo(components(PublishRequest.class));
        assertThat(schema("PublishRequest").path("additionalProperties").asBoolean(true))
                .as("unknown fields are refused").isFalse();
        assertThat(schema("PublishRequest").path("required").get(0).asText()).isEqualTo("destination");
        assertThat(fieldNames(schema("Published").path("properties"))).isEqualTo(components(ApiRoutes.Published.class));
        assertThat(fieldNames(schema("Error").path("properties"))).isEqualTo(components(ApiRoutes.ApiError.class));
    }

    @Test
    void everyResponseSchemaReferenceResolves() {
        List<String> refs = DOC.findValuesAsText("$ref");

        assertThat(refs).isNotEmpty().allSatisfy(ref -> {
            assertThat(ref).startsWith("#/components/schemas/");
            assertThat(schema(ref.substring("#/components/schemas/".length())).isMissingNode()).as(ref).isFalse();
        });
    }
}
