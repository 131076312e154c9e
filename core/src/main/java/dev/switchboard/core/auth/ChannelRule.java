package dev.switchboard.core.auth;

import dev.switchboard.protocol.Glob;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The settings of the channels whose names match {@code pattern} (an app's {@code channels:} list, docs/history.md):
 * history, replay on subscribe and how presence is sent. An app's rules are tried in order and the first match wins;
 * a channel no rule matches has no history and full presence, as the hosted service.
 *
 * @param pattern           a channel name or glob pattern ({@code room-*}, {@code classes/**})
 * @param history           null = no history
 * @param replayOnSubscribe how many of the newest retained messages a first-time subscriber gets after its ack
 *                          (0 = none; needs history)
 * @param presence          how presence frames are sent to the channel's members
 */
public record ChannelRule(String pattern, History history, int replayOnSubscribe, PresenceRule presence) {

    /** No history, full presence: what a channel without a matching rule gets. */
    public static final ChannelRule DEFAULT = new ChannelRule("**", null, 0, PresenceRule.FULL);

    public ChannelRule {
        Objects.requireNonNull(pattern, "pattern");
        presence = presence == null ? PresenceRule.FULL : presence;
        if (replayOnSubscribe < 0 || (replayOnSubscribe > 0 && history == null)) {
            throw new IllegalArgumentException("replayOnSubscribe: needs history and must be >= 0");
        }
        if (history != null && replayOnSubscribe > history.size()) {
            throw new IllegalArgumentException("replayOnSubscribe: at most history.size (" + history.size() + ")");
        }
    }

    /** The first rule of {@code rules} matching {@code channel}, or {@link #DEFAULT}. */
    public static ChannelRule of(List<Compiled> rules, String channel) {
        for (Compiled rule : rules) {
            if (rule.glob().matches(channel)) {
                return rule.rule();
            }
        }
        return DEFAULT;
    }

    /** A rule with its pattern compiled once. */
    public record Compiled(ChannelRule rule, Glob glob) {
        public static Compiled of(ChannelRule rule) {
            return new Compiled(rule, Glob.compile(rule.pattern()));
        }
    }

    /**
     * A channel's history: at most {@code size} messages, each kept at most {@code ttl}.
     */
    public record History(int size, Duration ttl) {
        public static final int MAX_SIZE = 100_000;

        public History {
            if (size < 1 || size > MAX_SIZE) {
                throw new IllegalArgumentException("size: must be 1-" + MAX_SIZE);
            }
            if (ttl == null || ttl.toMillis() < 1000) {
                throw new IllegalArgumentException("ttl: must be at least 1s");
            }
        }
    }

    /**
     * How presence reaches a channel's members.
     *
     * @param mode      {@code FULL}: every join and leave at once (the hosted service); {@code BATCHED}: above
     *                  {@code threshold} members, joins and leaves gathered into one frame per {@code interval};
     *                  {@code COUNT}: above {@code threshold} members no per-peer deltas, a {@code presence_count}
     *                  frame per {@code interval} while the count changes
     * @param threshold members from which {@code BATCHED}/{@code COUNT} apply (below: full)
     * @param interval  how often batched deltas or counts go out
     * @param roles     with {@code actions}: the audience; empty both = every connection with the presence action.
     *                  A connection is in the audience if its peer metadata's {@code role} (a string or a list of
     *                  strings) is one of these...
     * @param actions   ...or its token grants one of these actions
     */
    public record PresenceRule(Mode mode, int threshold, Duration interval, Set<String> roles, Set<Action> actions) {
        public static final PresenceRule FULL = new PresenceRule(Mode.FULL, 0, Duration.ofSeconds(1), Set.of(),
                Set.of());

        public PresenceRule {
            Objects.requireNonNull(mode, "mode");
            roles = roles == null ? Set.of() : Set.copyOf(roles);
            actions = actions == null ? Set.of() : Set.copyOf(actions);
            if (threshold < 0) {
                throw new IllegalArgumentException("threshold: must be >= 0");
            }
            if (interval == null || interval.toMillis() < 50 || interval.toMillis() > 60_000) {
                throw new IllegalArgumentException("interval: must be 50ms-60s");
            }
        }

        /** Whether presence frames go only to part of the presence receivers. */
        public boolean hasAudience() {
            return !roles.isEmpty() || !actions.isEmpty();
        }
    }

    public enum Mode {
        FULL, BATCHED, COUNT
    }
}
