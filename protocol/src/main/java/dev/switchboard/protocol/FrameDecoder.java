package dev.switchboard.protocol;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Decodes one inbound text frame into a {@link ClientFrame} (protocol.md §3.2, §3.4, §4).
 *
 * <p>The envelope is read with Jackson's streaming parser straight from the received bytes: no String of
 * the frame, no tree. The {@code data} value is never parsed into anything; it is returned as a
 * {@link RawJson} view of the original bytes (first to last byte of the value), so it can be spliced into
 * outgoing frames unchanged and measured for the payload cap. Jackson does check it is well-formed JSON.
 *
 * <p>Validation order, first failure wins: not a single JSON object (trailing data included) →
 * {@code malformed_message}; {@code type} {@code "ping"} → {@link Ping} whatever else the frame holds;
 * {@code requestId} present but not a non-empty string of ≤128 UTF-8 bytes → {@code malformed_message}
 * without requestId; {@code type} absent or not a string → {@code malformed_message}; unknown type →
 * {@code unknown_type}; then the per-type field rules ({@code invalid_channel}, {@code invalid_peer_id},
 * {@code missing_data}). From the requestId check on, errors carry the frame's valid requestId. Unknown
 * fields are ignored, fields may come in any order, and a repeated key's last value wins. Reserved
 * channels, permissions and the payload cap are the session's business, not the decoder's.
 *
 * <p>Stateless and thread-safe; never throws.
 */
public final class FrameDecoder {
    /** Shared: a built JsonFactory is thread-safe. */
    private static final JsonFactory JSON = JsonFactory.builder().build();

    static final String NOT_JSON = "frame is not valid JSON";
    static final String NOT_OBJECT = "frame must be a JSON object";
    static final String NOT_UTF8 = "frame is not valid UTF-8";
    static final String TRAILING = "frame must hold exactly one JSON object";
    static final String BAD_REQUEST_ID = "requestId must be a non-empty string of at most 128 bytes";
    static final String MISSING_TYPE = "type is required";
    static final String NON_STRING_TYPE = "type must be a string";
    static final String UNKNOWN_TYPE = "unknown type";
    static final String BAD_CHANNEL = "channel must be 1-256 bytes without control characters";
    static final String BAD_PEER_ID = "to must be 1-128 characters without control characters";
    static final String MISSING_DATA = "data is required";
    static final String BAD_SINCE = "since must be {\"offset\": integer >= 0, \"epoch\": string}";

    private static final int ABSENT = 0;
    private static final int STRING = 1;
    private static final int NOT_STRING = 2;

    private FrameDecoder() {
    }

    /**
     * Decodes {@code bytes[offset, offset+length)}, which must be the whole UTF-8 text of one frame. The
     * returned frame's {@code data} views {@code bytes}, so the caller must not reuse or modify the array
     * while the frame (or anything holding its data) is alive. Never throws: any failure, including bad
     * arguments and Jackson's size or nesting constraints, is an {@link Invalid} {@code malformed_message}.
     */
    public static ClientFrame decode(byte[] bytes, int offset, int length) {
        try {
            if (bytes == null || offset < 0 || length < 0 || offset > bytes.length - length) {
                return malformed(NOT_JSON);
            }
            String refusal = precheck(bytes, offset, length);
            if (refusal != null) {
                return malformed(refusal);
            }
            try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), bytes, offset, length)) {
                return decodeObject(parser, bytes, offset, length);
            }
        } catch (JacksonException e) {
            return malformed(NOT_JSON); // syntax, encoding, and StreamReadConstraints (depth, sizes)
        } catch (RuntimeException e) {
            return malformed(NOT_JSON); // the contract is "never throws": a frame must not kill the connection
        }
    }

    /**
     * Refuses, before Jackson sees them, inputs Jackson would misread:
     * <ul>
     *   <li>a zero byte among the first four: Jackson sniffs UTF-16/32 from those, would then accept
     *       non-UTF-8 text and report char instead of byte offsets (disabling its CHARSET_DETECTION makes
     *       3.2.4 throw a NullPointerException instead);</li>
     *   <li>text that is not well-formed UTF-8 anywhere, including inside {@code data} values the parser only
     *       skips: such bytes would be spliced into every recipient's text frame, and a browser fails the whole
     *       connection on invalid UTF-8 (decisions.md D1). It also covers a fuzzing find: Jackson's shared name
     *       table stores short property names padded with 0xFF bytes, so once {@code "to"} had been seen, the
     *       invalid name {@code "\xFF\xFFto"} was read as {@code to}.</li>
     * </ul>
     * Anything else that is not an object (first non-blank byte not '{') is refused here too.
     */
    private static String precheck(byte[] bytes, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < Math.min(end, offset + 4); i++) {
            if (bytes[i] == 0) {
                return NOT_JSON;
            }
        }
        if (!Utf8.isWellFormed(bytes, offset, length)) {
            return NOT_UTF8;
        }
        int i = offset;
        while (i < end && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) {
            i++;
        }
        if (i == end) {
            return NOT_JSON;
        }
        return bytes[i] == '{' ? null : NOT_OBJECT;
    }

    private static ClientFrame decodeObject(JsonParser p, byte[] bytes, int offset, int length) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return malformed(NOT_OBJECT);
        }
        int typeState = ABSENT;
        String type = null;
        int requestIdState = ABSENT;
        String requestId = null;
        String channel = null;
        String to = null;
        boolean includeSenderMetadata = false;
        Subscribe.Since since = null;
        boolean badSince = false;
        long dataStart = -1;
        long dataEnd = -1;

        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            boolean isString = value == JsonToken.VALUE_STRING;
            switch (name) {
                case "type" -> {
                    typeState = isString ? STRING : NOT_STRING;
                    type = isString ? p.getString() : null;
                }
                case "requestId" -> {
                    requestIdState = isString ? STRING : NOT_STRING;
                    requestId = isString ? p.getString() : null;
                }
                case "channel" -> channel = isString ? p.getString() : null;
                case "to" -> to = isString ? p.getString() : null;
                case "includeSenderMetadata" -> includeSenderMetadata = value == JsonToken.VALUE_TRUE;
                case "since" -> {
                    if (value == JsonToken.START_OBJECT) {
                        since = since(p); // reads up to the object's end
                        badSince = since == null;
                        continue;
                    }
                    since = null;
                    badSince = true;
                }
                case "data" -> {
                    dataStart = p.currentTokenLocation().getByteOffset();
                    if (value.isStructStart()) {
                        p.skipChildren();
                    } else {
                        p.finishToken(); // strings are lazy: read to the closing quote so the end is right
                    }
                    dataEnd = p.currentLocation().getByteOffset();
                    continue;
                }
                default -> {
                    // unknown field: ignored
                }
            }
            p.skipChildren(); // no-op for scalars; skips nested values of known or unknown fields
        }
        if (token != JsonToken.END_OBJECT) {
            return malformed(NOT_JSON);
        }
        if (p.nextToken() != null) {
            return malformed(TRAILING);
        }

        if (typeState == STRING && "ping".equals(type)) {
            return Ping.INSTANCE;
        }
        if (requestIdState == NOT_STRING || (requestIdState == STRING && !isValidRequestId(requestId))) {
            return malformed(BAD_REQUEST_ID);
        }
        if (typeState != STRING) {
            return new Invalid(ErrorCode.MALFORMED_MESSAGE, requestId,
                    typeState == ABSENT ? MISSING_TYPE : NON_STRING_TYPE);
        }
        switch (type) {
            case "subscribe":
                if (!Channels.isValidName(channel)) {
                    return new Invalid(ErrorCode.INVALID_CHANNEL, requestId, BAD_CHANNEL);
                }
                return badSince ? new Invalid(ErrorCode.MALFORMED_MESSAGE, requestId, BAD_SINCE)
                        : new Subscribe(channel, includeSenderMetadata, requestId, since);
            case "unsubscribe":
                return Channels.isValidName(channel)
                        ? new Unsubscribe(channel, requestId)
                        : new Invalid(ErrorCode.INVALID_CHANNEL, requestId, BAD_CHANNEL);
            case "publish":
                if (!Channels.isValidName(channel)) {
                    return new Invalid(ErrorCode.INVALID_CHANNEL, requestId, BAD_CHANNEL);
                }
                if (dataStart < 0) {
                    return new Invalid(ErrorCode.MISSING_DATA, requestId, MISSING_DATA);
                }
                return new Publish(channel, slice(bytes, offset, length, dataStart, dataEnd), requestId);
            case "send":
                if (!PeerIds.isValidTarget(to)) {
                    return new Invalid(ErrorCode.INVALID_PEER_ID, requestId, BAD_PEER_ID);
                }
                if (dataStart < 0) {
                    return new Invalid(ErrorCode.MISSING_DATA, requestId, MISSING_DATA);
                }
                return new Send(to, slice(bytes, offset, length, dataStart, dataEnd), requestId);
            default:
                return new Invalid(ErrorCode.UNKNOWN_TYPE, requestId, UNKNOWN_TYPE);
        }
    }

    /**
     * Reads the object of {@code since} (the parser is on its start) up to and including its end; null unless it
     * holds an integer {@code offset} ≥ 0 and a string {@code epoch} of at most 64 characters.
     */
    private static Subscribe.Since since(JsonParser p) {
        long offset = -1;
        String epoch = null;
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("offset".equals(name)) {
                offset = value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                        ? p.getLongValue() : -1;
            } else if ("epoch".equals(name)) {
                epoch = value == JsonToken.VALUE_STRING ? p.getString() : null;
            }
            p.skipChildren();
        }
        if (token != JsonToken.END_OBJECT) {
            throw new IllegalStateException("since did not end with its object"); // decode answers malformed
        }
        return offset < 0 || epoch == null || epoch.length() > 64 ? null : new Subscribe.Since(offset, epoch);
    }

    /** Byte offsets are relative to the start of the parsed range. */
    private static RawJson slice(byte[] bytes, int offset, int length, long start, long end) {
        if (start < 0 || end <= start || end > length) {
            throw new IllegalStateException("data offsets " + start + ".." + end + " outside frame of " + length);
        }
        return RawJson.wrap(bytes, offset + (int) start, (int) (end - start));
    }

    private static boolean isValidRequestId(String s) {
        return !s.isEmpty() && s.length() <= Limits.MAX_REQUEST_ID_BYTES
                && Utf8.length(s) <= Limits.MAX_REQUEST_ID_BYTES;
    }

    private static Invalid malformed(String message) {
        return new Invalid(ErrorCode.MALFORMED_MESSAGE, null, message);
    }
}
