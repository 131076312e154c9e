/**
 * The domain of Switchboard, free of any transport: {@link dev.switchboard.core.Node} (composition root),
 * {@link dev.switchboard.core.Session} (one connection), the per-app {@code Hub} of rooms and peers,
 * reference-counted {@code Presence}, encode-once {@code Fanout} and the byte-bounded {@code Outbox}.
 * See docs/architecture.md and docs/locks.md.
 */
package dev.switchboard.core;
