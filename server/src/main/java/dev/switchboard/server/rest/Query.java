package dev.switchboard.server.rest;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The query string of a REST call: each parameter's last value, percent-decoded as UTF-8. */
final class Query {
    private Query() {
    }

    static Map<String, String> parse(String query) {
        Map<String, String> params = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (Map.Entry<String, List<String>> entry
                : new QueryStringDecoder(query, StandardCharsets.UTF_8, false).parameters().entrySet()) {
            params.put(entry.getKey(), entry.getValue().getLast());
        }
        return params;
    }

    /** Parameter {@code name} as an integer in [min, max], or 400 {@code invalid_request}. */
    static long number(Map<String, String> params, String name, long min, long max) {
        String text = params.get(name);
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw RestProblem.invalid(name + " must be an integer from " + min + " to " + max + ", not '" + text + "'");
    }
}
