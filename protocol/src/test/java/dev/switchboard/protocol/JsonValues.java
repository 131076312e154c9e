package dev.switchboard.protocol;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/** Test oracle: JSON values as flat token lists, to check that a data slice is the value that was sent. */
final class JsonValues {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private JsonValues() {
    }

    /** The tokens of the whole of {@code json}, which must be exactly one value; throws otherwise. */
    static List<String> tokensOf(RawJson json) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json.array(), json.offset(), json.length())) {
            p.nextToken();
            List<String> tokens = readValue(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing content after value: " + json);
            }
            return tokens;
        }
    }

    /**
     * The tokens of the value of the last top-level {@code data} key of the object in {@code frame}
     * (last wins, as in the decoder), or null when there is none.
     */
    static List<String> tokensOfTopLevelData(byte[] frame, int offset, int length) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), frame, offset, length)) {
            p.nextToken();
            List<String> last = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("data")) {
                    last = readValue(p);
                } else {
                    p.skipChildren();
                }
            }
            return last;
        }
    }

    /** Reads the value at the current token, leaving the parser on its last token. */
    private static List<String> readValue(JsonParser p) {
        List<String> tokens = new ArrayList<>();
        int depth = 0;
        do {
            JsonToken t = p.currentToken();
            if (t.isStructStart()) {
                depth++;
            } else if (t.isStructEnd()) {
                depth--;
            }
            tokens.add(t.name() + (t.isScalarValue() || t == JsonToken.PROPERTY_NAME ? ":" + p.getString() : ""));
        } while (depth > 0 && p.nextToken() != null);
        return tokens;
    }
}
