package dev.switchboard.core;

import dev.switchboard.protocol.RawJson;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The roles a peer's metadata claims: its top-level {@code role}, a string or a list of strings (the convention of
 * rest-api.md's examples, {@code "peerMetadata": {"role": "presenter"}}). Read by a channel's presence audience.
 */
final class Roles {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private Roles() {
    }

    /** The roles of {@code metadata} (a JSON object, or null); empty if it names none. */
    static List<String> of(RawJson metadata) {
        if (metadata == null) {
            return List.of();
        }
        List<String> roles = new ArrayList<>(1);
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), metadata.array(), metadata.offset(),
                metadata.length())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return List.of();
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!"role".equals(name)) {
                    p.skipChildren();
                } else if (value == JsonToken.VALUE_STRING) {
                    roles.add(p.getString());
                } else if (value == JsonToken.START_ARRAY) {
                    for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                        if (item == JsonToken.VALUE_STRING) {
                            roles.add(p.getString());
                        } else {
                            p.skipChildren();
                        }
                    }
                }
            }
        } catch (JacksonException e) {
            return List.of(); // metadata was validated as a JSON object at connect; nothing to claim otherwise
        }
        return List.copyOf(roles);
    }
}
