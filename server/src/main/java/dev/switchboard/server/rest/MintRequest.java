package dev.switchboard.server.rest;

import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.Key;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.protocol.Channels;
import dev.switchboard.protocol.Limits;
import dev.switchboard.protocol.PeerIds;
import dev.switchboard.protocol.RawJson;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v1/tokens} (rest-api.md §2), validated in the order of §1.3. Shared by the endpoint
 * and {@code switchboard token}, so a token minted offline obeys exactly the rules of one minted over HTTP.
 *
 * @param peerId       becomes {@code sub}
 * @param channels     the {@code channels} claim, or null when not requested
 * @param permissions  the {@code permissions} claim (wire names), or null for the key's full action set
 * @param expiresInSec lifetime, 1…86,400 s
 * @param metadata     the {@code metadata} claim, or null
 * @param peerMetadata the {@code peerMetadata} claim, or null
 */
public record MintRequest(String peerId, List<String> channels, List<String> permissions, int expiresInSec,
                          RawJson metadata, RawJson peerMetadata) {

    /**
     * Parses and validates a JSON body: field shapes and sizes (400 {@code invalid_request}), then reserved
     * channel prefixes (400 {@code channel_reserved}).
     *
     * @throws RestProblem for the first rule broken
     */
    public static MintRequest parse(byte[] body) {
        JsonNode root = RestJson.parseObject(body);
        JsonNode peerIdNode = root.path("peerId");
        if (!peerIdNode.isString() || !PeerIds.isValidSubject(peerIdNode.asString())) {
            throw RestProblem.invalid("peerId is required: 1-128 printable ASCII characters");
        }
        List<String> channels = strings(root, "channels", Limits.MAX_TOKEN_CHANNELS);
        if (channels != null) {
            for (String channel : channels) {
                if (!Channels.isValidName(channel)) {
                    throw RestProblem.invalid("channels: each entry must be 1-256 bytes without control characters");
                }
            }
        }
        List<String> permissions = strings(root, "permissions", Limits.MAX_TOKEN_PERMISSIONS);
        if (permissions != null) {
            for (String permission : permissions) {
                if (Action.fromWire(permission).isEmpty()) {
                    throw RestProblem.invalid("permissions: unknown action '" + permission
                            + "'; expected publish, subscribe, presence or send");
                }
            }
        }
        int expiresInSec = Limits.DEFAULT_TOKEN_TTL_SECONDS;
        JsonNode ttl = root.path("expiresInSec");
        if (!ttl.isMissingNode() && !ttl.isNull()) {
            if (!ttl.isIntegralNumber() || ttl.asLong() < 1 || ttl.asLong() > Limits.MAX_TOKEN_TTL_SECONDS) {
                throw RestProblem.invalid("expiresInSec must be an integer from 1 to " + Limits.MAX_TOKEN_TTL_SECONDS
                        + " (24 h)");
            }
            expiresInSec = ttl.asInt();
        }
        RawJson metadata = object(root, "metadata", Limits.MAX_METADATA_BYTES);
        RawJson peerMetadata = object(root, "peerMetadata", Limits.MAX_PEER_METADATA_BYTES);
        if (channels != null) {
            for (String channel : channels) {
                if (Channels.isReserved(channel)) {
                    throw new RestProblem(RestError.CHANNEL_RESERVED, "reserved channel prefix: " + channel);
                }
            }
        }
        return new MintRequest(peerIdNode.asString(), channels, permissions, expiresInSec, metadata, peerMetadata);
    }

    /**
     * Checks the request against the signing key — every permission among its actions (403
     * {@code action_not_permitted}), every channel covered by its patterns, wildcard entries taken literally
     * (403 {@code channel_not_authorized}) — and returns the claims to sign.
     */
    public TokenRequest authorize(Key key, long nowSeconds) {
        if (permissions != null) {
            for (String permission : permissions) {
                if (!key.config().actions().contains(Action.fromWire(permission).orElseThrow())) {
                    throw new RestProblem(RestError.ACTION_NOT_PERMITTED, "permission not in key's actions: "
                            + permission);
                }
            }
        }
        if (channels != null) {
            for (String channel : channels) {
                if (!key.grants().allows(channel)) {
                    throw new RestProblem(RestError.CHANNEL_NOT_AUTHORIZED, "channel not in key's allowed patterns: "
                            + channel);
                }
            }
        }
        return new TokenRequest(peerId, nowSeconds, nowSeconds + expiresInSec, channels, permissions, metadata,
                peerMetadata);
    }

    private static List<String> strings(JsonNode root, String name, int max) {
        JsonNode node = root.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.size() > max) {
            throw RestProblem.invalid(name + " must be an array of at most " + max + " strings");
        }
        List<String> values = new ArrayList<>(node.size());
        for (JsonNode entry : node) {
            if (!entry.isString()) {
                throw RestProblem.invalid(name + " must contain only strings");
            }
            values.add(entry.asString());
        }
        return values;
    }

    /** An optional JSON object field whose compact form fits {@code maxBytes}; null when absent. */
    static RawJson object(JsonNode root, String name, int maxBytes) {
        JsonNode node = root.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw RestProblem.invalid(name + " must be a JSON object");
        }
        RawJson raw = RestJson.raw(node);
        if (raw.length() > maxBytes) {
            throw RestProblem.invalid(name + " is " + raw.length() + " bytes serialized; the limit is " + maxBytes);
        }
        return raw;
    }
}
