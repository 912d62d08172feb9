package io.berth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.berth.api.dto.Json;

/** Machine-readable output: the same records as the API's JSON (pretty or one line), or as YAML. */
final class Output {

    enum Format { table, json, yaml }

    private static final ObjectMapper JSON = Json.configure(new ObjectMapper()).enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = Json.configure(new ObjectMapper());
    private static final ObjectMapper YAML = Json.configure(new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)));

    private Output() {
    }

    static String json(Object value) {
        return write(JSON, value);
    }

    /** One line of JSON, as the daemon sends it (e.g. one event per line). */
    static String compactJson(Object value) {
        return write(LINE, value);
    }

    static String yaml(Object value) {
        return write(YAML, value);
    }

    /** A record as the JSON tree it serialises to (an object, or null for null), to add keys to. */
    static ObjectNode tree(Object value) {
        JsonNode node = LINE.valueToTree(value);
        return node instanceof ObjectNode o ? o : null;
    }

    private static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render output", e);
        }
    }
}
