package dev.switchboard.bench;

import java.nio.charset.StandardCharsets;

/**
 * Realistic client payloads of a chosen size for the benchmarks: a JSON object with nesting (an array of small
 * objects inside an object), numbers, booleans and strings with escapes ({@code \"}, {@code \\}, {@code \n},
 * {@code \u00e9}) and raw multi-byte UTF-8, so the decoder's skip of {@code data} does real work. Deterministic.
 */
public final class Payloads {
    private Payloads() {
    }

    /** A JSON object of exactly {@code size} UTF-8 bytes (size ≥ 50). */
    public static String data(int size) {
        if (size < 50) {
            throw new IllegalArgumentException("payloads start at 50 bytes");
        }
        String head = "{\"kind\":\"chat\",\"n\":1,\"items\":[";
        String tail = "],\"pad\":\"\"}";
        StringBuilder items = new StringBuilder();
        int i = 0;
        for (;;) {
            String item = (i == 0 ? "" : ",") + "{\"id\":" + i
                    + ",\"ok\":true,\"text\":\"say \\\"hi\\\" \\\\ caf\\u00e9 na\u00efve\\n\"}";
            if (utf8(head) + utf8(items) + utf8(item) + utf8(tail) > size) {
                break;
            }
            items.append(item);
            i++;
        }
        int missing = size - utf8(head) - utf8(items) - utf8(tail);
        String json = head + items + "],\"pad\":\"" + "x".repeat(missing) + "\"}";
        if (utf8(json) != size) {
            throw new AssertionError("payload of " + utf8(json) + " bytes, wanted " + size);
        }
        return json;
    }

    /** A {@code publish} frame carrying {@link #data(int) data(size)} on {@code channel}, with a requestId. */
    public static byte[] publishFrame(String channel, int dataSize, String requestId) {
        String rid = requestId == null ? "" : ",\"requestId\":\"" + requestId + "\"";
        return bytes("{\"type\":\"publish\",\"channel\":\"" + channel + "\"" + rid + ",\"data\":" + data(dataSize)
                + "}");
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int utf8(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
