/**
 * Credentials and permissions (auth.md): the {@link dev.switchboard.core.auth.Keyring} of apps and keys, admission
 * of WebSocket connections by publishable key or HS256 JWT ({@link dev.switchboard.core.auth.Authenticator},
 * protocol.md §2.2 checks 1–5), the resulting {@link dev.switchboard.core.auth.Identity} with its effective actions
 * and channel {@link dev.switchboard.core.auth.Grants}, the REST credential, and token minting.
 *
 * <p>Everything here is immutable and depends only on configuration; live state (app suspension, connection caps)
 * is checked by the caller after admission. Nothing here logs credentials.
 */
package dev.switchboard.core.auth;
