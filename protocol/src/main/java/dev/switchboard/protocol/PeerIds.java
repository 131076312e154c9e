package dev.switchboard.protocol;

/**
 * peerId rules of auth.md §6. Two rules exist because the wire is more permissive than identity issuance:
 * {@code send.to} only has to be a plausible id (anything that names no online peer is
 * {@code peer_not_found}), while ids the server issues or accepts as identity (JWT {@code sub}, REST peer
 * ids) are printable ASCII so that they log, route and compare predictably.
 */
public final class PeerIds {
    private PeerIds() {
    }

    /**
     * The {@code send.to} rule (protocol.md §4.4): 1–{@value Limits#MAX_PEER_ID_LENGTH} chars
     * ({@link String#length()}) with no control character. False for null; failing it is
     * {@code invalid_peer_id}.
     */
    public static boolean isValidTarget(String s) {
        if (s == null || s.isEmpty() || s.length() > Limits.MAX_PEER_ID_LENGTH) {
            return false;
        }
        return !Channels.hasControlChars(s);
    }

    /**
     * The identity rule for JWT {@code sub} and REST peer ids: 1–{@value Limits#MAX_PEER_ID_LENGTH} chars,
     * each in U+0020–U+007E (space included, open-questions.md Q35). False for null.
     */
    public static boolean isValidSubject(String s) {
        if (s == null || s.isEmpty() || s.length() > Limits.MAX_PEER_ID_LENGTH) {
            return false;
        }
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
