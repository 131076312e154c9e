package dev.switchboard.loadtest.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * report.json through Jackson: numbers at full precision (the shortest text that reads back as the same
 * double), NaN and infinities as null, since JSON has neither.
 */
final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() {
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(finite(value)) + "\n";
    }

    /** {@code value} with every non-finite double replaced by null (maps, collections and double[] walked). */
    static Object finite(Object value) {
        return switch (value) {
            case Double d -> d.isNaN() || d.isInfinite() ? null : d;
            case Float f -> finite(f.doubleValue());
            case double[] a -> {
                List<Object> list = new ArrayList<>(a.length);
                for (double d : a) {
                    list.add(finite(d));
                }
                yield list;
            }
            case Map<?, ?> m -> {
                Map<Object, Object> copy = new LinkedHashMap<>();
                m.forEach((k, v) -> copy.put(String.valueOf(k), finite(v)));
                yield copy;
            }
            case Collection<?> c -> {
                List<Object> copy = new ArrayList<>(c.size());
                c.forEach(x -> copy.add(finite(x)));
                yield copy;
            }
            case null -> null;
            default -> value;
        };
    }
}
