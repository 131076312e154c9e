package dev.switchboard.core.auth;

import dev.switchboard.protocol.RawJson;
import java.util.List;

/**
 * The payload of a token to mint (rest-api.md §2). {@code null} lists and values are omitted from the payload.
 * No validation happens here: the REST plane checks the request rules (peerId, channel coverage by the key's
 * patterns via {@code Grants.of(key.channelPatterns(), null).allows(entry)}, permissions ⊆ key actions, lifetime,
 * metadata sizes) before minting, and tests deliberately mint invalid tokens.
 *
 * @param sub              becomes the session peerId
 * @param issuedAtSeconds  {@code iat}
 * @param expiresAtSeconds {@code exp}
 * @param channels         {@code channels}, or {@code null}
 * @param permissions      {@code permissions} (wire names), or {@code null}
 * @param metadata         {@code metadata}, valid JSON written verbatim, or {@code null}
 * @param peerMetadata     {@code peerMetadata}, valid JSON written verbatim, or {@code null}
 */
public record TokenRequest(String sub, long issuedAtSeconds, long expiresAtSeconds, List<String> channels,
                           List<String> permissions, RawJson metadata, RawJson peerMetadata) {

    public TokenRequest {
        channels = channels == null ? null : List.copyOf(channels);
        permissions = permissions == null ? null : List.copyOf(permissions);
    }
}
