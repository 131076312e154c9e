package dev.switchboard.core.auth;

import dev.switchboard.protocol.RawJson;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;

/**
 * What an admitted connection is allowed to be, fixed at connect time (auth.md §3.3).
 *
 * @param app              the tenant
 * @param key              the publishable key used, or the secret key that signed the token
 * @param peerId           the JWT {@code sub} verbatim, or a fresh lowercase UUID v4 for publishable-key sessions
 * @param expiresAtSeconds the JWT {@code exp} (Unix seconds; the caller closes with 4002 at {@code exp} − 250 ms);
 *                         {@code null} for publishable-key sessions, which never expire
 * @param actions          effective actions (auth.md §4)
 * @param grants           effective channel grant (auth.md §5.1)
 * @param peerMetadata     the compact {@code peerMetadata} claim shown to other peers, or {@code null}
 * @param welcomeMetadata  the compact {@code metadata} claim delivered once in {@code welcome}, or {@code null}
 */
public record Identity(AppConfig app, Key key, String peerId, Long expiresAtSeconds, Set<Action> actions,
                       Grants grants, RawJson peerMetadata, RawJson welcomeMetadata) {

    public Identity {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(grants, "grants");
        actions = Collections.unmodifiableSet(KeyConfig.enumSetOf(actions));
    }

    /** Whether the session may perform {@code action}. */
    public boolean can(Action action) {
        return actions.contains(action);
    }
}
