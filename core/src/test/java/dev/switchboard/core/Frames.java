package dev.switchboard.core;

/** The exact server frames the tests expect (ServerFrames' encoding: fixed key order, no whitespace). */
final class Frames {
    private Frames() {
    }

    static String ack(String requestId) {
        return "{\"type\":\"ack\",\"requestId\":\"" + requestId + "\"}";
    }

    static String joined(String channel, String... peers) {
        return presence(channel, peers, new String[0]);
    }

    static String left(String channel, String... peers) {
        return presence(channel, new String[0], peers);
    }

    static String presence(String channel, String[] joined, String[] left) {
        return "{\"type\":\"presence\",\"channel\":\"" + channel + "\",\"joined\":[" + peers(joined) + "],\"left\":["
                + peers(left) + "]}";
    }

    private static String peers(String[] ids) {
        StringBuilder b = new StringBuilder();
        for (String id : ids) {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(id.startsWith("{") ? id : "{\"peerId\":\"" + id + "\"}");
        }
        return b.toString();
    }

    static String message(String channel, String from, String data) {
        return "{\"type\":\"message\",\"channel\":\"" + channel + "\",\"from\":\"" + from + "\",\"data\":" + data + "}";
    }

    static String message(String channel, String from, String data, String fromMetadata) {
        return "{\"type\":\"message\",\"channel\":\"" + channel + "\",\"from\":\"" + from + "\",\"data\":" + data
                + ",\"fromMetadata\":" + fromMetadata + "}";
    }

    static String direct(String from, String data) {
        return "{\"type\":\"direct\",\"from\":\"" + from + "\",\"data\":" + data + "}";
    }
}
