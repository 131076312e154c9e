package dev.switchboard.core.auth;

/** The two kinds of key of auth.md §1. */
public enum KeyType {
    /** {@code sk_id_…} with a signing secret: signs JWTs and authenticates the REST API; never sent to browsers. */
    SECRET,
    /** {@code pk_live_…}: the id itself is the credential, usable only as WebSocket {@code ?key=}. */
    PUBLISHABLE
}
