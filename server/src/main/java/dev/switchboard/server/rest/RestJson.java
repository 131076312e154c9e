package dev.switchboard.server.rest;

import dev.switchboard.protocol.RawJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON in and out of the REST plane. Bodies are parsed into trees (they are at most 32 KiB and parsed once);
 * numbers keep their precision so {@code data} reaches subscribers as sent. Responses are written with a
 * generator so peer metadata is spliced in verbatim.
 */
final class RestJson {
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private RestJson() {
    }

    /** The body as a JSON object, or 400 {@code invalid_request}. */
    static JsonNode parseObject(byte[] body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw RestProblem.invalid("body is not valid JSON: " + e.getOriginalMessage());
        } catch (NumberFormatException e) {
            // Jackson's BigDecimal limits (an exponent of 50 digits) surface as this, not as a JacksonException.
            throw RestProblem.invalid("body holds a number beyond the supported range");
        }
        if (root == null || !root.isObject()) {
            throw RestProblem.invalid("body must be a JSON object");
        }
        return root;
    }

    /** The compact serialisation of a tree node. */
    static RawJson raw(JsonNode node) {
        return RawJson.wrap(MAPPER.writeValueAsBytes(node));
    }

    /** An object written by {@code fields}, as UTF-8 bytes. */
    static byte[] write(Consumer<JsonGenerator> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            g.writeStartObject();
            fields.accept(g);
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    static void writeRaw(JsonGenerator g, String name, RawJson value) {
        g.writeName(name);
        g.writeRawValue(new String(value.array(), value.offset(), value.length(), StandardCharsets.UTF_8));
    }
}
