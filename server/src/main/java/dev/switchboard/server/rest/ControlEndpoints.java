package dev.switchboard.server.rest;

import dev.switchboard.core.HistoryPage;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.core.Node;
import dev.switchboard.core.Usage;
import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.core.auth.Key;
import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.netty.HttpRoutes.HttpReply;
import dev.switchboard.protocol.Channels;
import dev.switchboard.protocol.Limits;
import dev.switchboard.protocol.PeerIds;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames.PresencePeer;
import dev.switchboard.server.Version;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The five operations of rest-api.md §2–§6 for an already authenticated key. Each validates in the order of
 * §1.3 and throws {@link RestProblem} for the first rule broken.
 */
final class ControlEndpoints {
    private static final Logger log = LoggerFactory.getLogger(ControlEndpoints.class);
    private static final String DEFAULT_FROM = "system";
    /** "Unlimited" in the usage plan fields (open-questions.md Q34). */
    private static final long UNLIMITED = Integer.MAX_VALUE;

    private final Node node;
    private volatile Map<String, Plan> plans;
    private final Clock clock;

    ControlEndpoints(Node node, Map<String, Plan> plans, Clock clock) {
        this.node = node;
        this.plans = plans;
        this.clock = clock;
    }

    /** {@code POST /v1/tokens}: a connect JWT signed with the authenticating key (§2). */
    HttpReply mint(Key key, byte[] body) {
        long now = clock.currentTimeMillis() / 1000;
        TokenRequest claims = MintRequest.parse(body).authorize(key, now);
        String token = TokenMinter.mint(key.config(), claims);
        log.atInfo().setMessage("rest_token_minted").addKeyValue("app", key.app().id())
                .addKeyValue("key", key.config().id()).addKeyValue("sub", claims.sub())
                .addKeyValue("exp", claims.expiresAtSeconds()).log();
        return ok(RestJson.write(g -> {
            g.writeStringProperty("token", token);
            g.writeNumberProperty("expiresAt", claims.expiresAtSeconds());
        }));
    }

    /** Peers a page of {@code GET /v1/channels/:id/peers?limit=} holds at most. */
    static final int PEERS_LIMIT = 10_000;

    /**
     * {@code GET /v1/channels/:id/peers}: the presence members of one subscription string (§3). With {@code limit}
     * (beyond the hosted API, for rooms of thousands) a page of them sorted by peerId, those after the peerId
     * {@code after}, and {@code next} (the peerId to pass as {@code after}) while more remain.
     */
    HttpReply peers(Key key, RestRoute route, String query) {
        String channel = channel(route);
        Map<String, String> params = Query.parse(query);
        Integer limit = params.containsKey("limit") ? (int) Query.number(params, "limit", 1, PEERS_LIMIT) : null;
        String after = params.get("after");
        if (after != null && limit == null) {
            throw RestProblem.invalid("after needs limit");
        }
        authorize(key, Action.PRESENCE, channel);
        return HttpReply.later(node.peers(key.app().id(), channel).thenApply(all -> {
            List<PresencePeer> peers = all;
            String next = null;
            if (limit != null) {
                peers = all.stream().filter(peer -> after == null || peer.peerId().compareTo(after) > 0)
                        .sorted(Comparator.comparing(PresencePeer::peerId)).limit(limit + 1L).toList();
                if (peers.size() > limit) {
                    peers = peers.subList(0, limit);
                    next = peers.getLast().peerId();
                }
            }
            List<PresencePeer> page = peers;
            String cursor = next;
            return ok(RestJson.write(g -> {
                g.writeStringProperty("channel", channel);
                g.writeName("peers");
                g.writeStartArray();
                for (PresencePeer peer : page) {
                    g.writeStartObject();
                    g.writeStringProperty("peerId", peer.peerId());
                    if (peer.metadata() != null) {
                        RestJson.writeRaw(g, "metadata", peer.metadata());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                if (cursor != null) {
                    g.writeStringProperty("next", cursor);
                }
            }));
        }));
    }

    /** Messages a history page holds at most ({@code limit}); also the default. */
    static final int HISTORY_LIMIT = 1000;

    /**
     * {@code GET /v1/channels/:id/history?since=OFFSET&epoch=E&limit=N} (beyond the hosted API, docs/history.md):
     * the channel's messages after {@code since}, or the newest {@code limit} without it, oldest first, with the
     * stream's current {@code offset} and {@code epoch}. Needs the {@code subscribe} action on the channel.
     */
    HttpReply history(Key key, RestRoute route, String query) {
        String channel = channel(route);
        Map<String, String> params = Query.parse(query);
        Long since = params.containsKey("since") ? Query.number(params, "since", 0, Long.MAX_VALUE) : null;
        int limit = params.containsKey("limit") ? (int) Query.number(params, "limit", 1, HISTORY_LIMIT)
                : HISTORY_LIMIT;
        String epoch = params.get("epoch");
        authorize(key, Action.SUBSCRIBE, channel);
        return HttpReply.later(node.history(key.app().id(), channel, since, epoch, limit).thenApply(found -> found
                .map(page -> historyPage(channel, page))
                .orElseGet(() -> new RestProblem(RestError.NOT_FOUND,
                        "channel has no history: no channels rule with history matches " + channel).reply()))
                .exceptionally(failure -> new RestProblem(RestError.INTERNAL_ERROR,
                        "the cluster's history store did not answer; retry").reply()));
    }

    private static HttpReply historyPage(String channel, HistoryPage page) {
        return ok(RestJson.write(g -> {
            g.writeStringProperty("channel", channel);
            g.writeStringProperty("epoch", page.epoch());
            g.writeNumberProperty("offset", page.offset());
            g.writeBooleanProperty("hasMore", page.hasMore());
            g.writeBooleanProperty("missed", page.missed());
            g.writeName("messages");
            g.writeStartArray();
            for (Streams.Entry message : page.messages()) {
                g.writeStartObject();
                g.writeNumberProperty("offset", message.offset());
                g.writeNumberProperty("timestamp", message.atMillis());
                g.writeStringProperty("from", message.from());
                RestJson.writeRaw(g, "data", message.data());
                if (message.fromMetadata() != null) {
                    RestJson.writeRaw(g, "fromMetadata", message.fromMetadata());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }));
    }

    /** {@code POST /v1/channels/:id/publish}: a message from a backend, counted against the quota (§4). */
    HttpReply publish(Key key, RestRoute route, byte[] body) {
        String channel = route.decodedId();
        JsonNode root = RestJson.parseObject(body);
        if (!root.has("data")) {
            throw RestProblem.invalid("data is required (JSON null is allowed)");
        }
        RawJson data = RestJson.raw(root.get("data"));
        String from = DEFAULT_FROM;
        JsonNode fromNode = root.path("from");
        if (!fromNode.isMissingNode() && !fromNode.isNull()) {
            if (!fromNode.isString() || !PeerIds.isValidSubject(fromNode.asString())) {
                throw RestProblem.invalid("from must be 1-128 printable ASCII characters");
            }
            from = fromNode.asString();
        }
        RawJson fromMetadata = MintRequest.object(root, "peerMetadata", Limits.MAX_PEER_METADATA_BYTES);
        checkChannel(channel);
        authorize(key, Action.PUBLISH, channel);
        return HttpReply.later(node.publish(key.app().id(), channel, from, data, fromMetadata).thenApply(delivery -> {
            if (delivery.overQuota()) {
                return new RestProblem(RestError.OVER_MESSAGE_QUOTA, "the app's message quota is exhausted").reply();
            }
            return ok(RestJson.write(g -> {
                g.writeStringProperty("channel", channel);
                g.writeNumberProperty("delivered", delivery.delivered());
            }));
        }).exceptionally(failure -> new RestProblem(RestError.INTERNAL_ERROR,
                "not published: the cluster's history store did not take it; retry").reply()));
    }

    /** {@code DELETE /v1/peers/:id}: closes every connection of the peer in the key's app with 4020 (§5). */
    HttpReply kick(Key key, RestRoute route) {
        String peerId = route.decodedId();
        if (!PeerIds.isValidSubject(peerId)) {
            throw RestProblem.invalid("peer id must be 1-128 printable ASCII characters");
        }
        return HttpReply.later(node.kick(key.app().id(), peerId).thenApply(closed -> {
            log.atInfo().setMessage("rest_kick").addKeyValue("app", key.app().id())
                    .addKeyValue("key", key.config().id()).addKeyValue("peer", peerId).addKeyValue("closed", closed)
                    .log();
            return ok(RestJson.write(g -> {
                g.writeStringProperty("peerId", peerId);
                g.writeNumberProperty("closed", closed);
            }));
        }));
    }

    /** Replaces the plans reported by {@code /v1/usage} (a reload). */
    void plans(Map<String, Plan> next) {
        this.plans = Map.copyOf(next);
    }

    /** {@code GET /v1/usage}: live counters since start and the configured caps (§6, Q34), and our version. */
    HttpReply usage(Key key) {
        Usage usage = node.usage(key.app().id());
        AppLimits limits = key.app().limits();
        Plan plan = plans.getOrDefault(key.app().id(), Plan.NONE);
        return ok(RestJson.write(g -> {
            g.writeStringProperty("appId", usage.appId());
            g.writeNumberProperty("periodStartUnix", usage.periodStartMillis() / 1000);
            g.writeNumberProperty("periodEndUnix", usage.periodEndMillis() / 1000);
            g.writeNumberProperty("concurrentNow", usage.concurrentNow());
            g.writeNumberProperty("peakConcurrent", usage.peakConcurrent());
            g.writeNumberProperty("messagesUsed", usage.messagesUsed());
            g.writeNumberProperty("overageMessages", 0);
            g.writeNumberProperty("overageConnections", 0);
            g.writeName("plan");
            g.writeStartObject();
            if (plan.name() == null) {
                g.writeNullProperty("name");
            } else {
                g.writeStringProperty("name", plan.name());
            }
            g.writeNumberProperty("maxConcurrentConnections", limits.maxConcurrentConnections() == null
                    ? UNLIMITED : limits.maxConcurrentConnections());
            g.writeNumberProperty("maxMessagesPerPeriod", limits.maxMessagesPerPeriod() == null
                    ? UNLIMITED : limits.maxMessagesPerPeriod());
            g.writeBooleanProperty("overagesAllowed", plan.overagesAllowed());
            g.writeBooleanProperty("overagesEnabled", plan.overagesAllowed() && plan.overagesEnabled());
            g.writeEndObject();
            g.writeStringProperty("serverVersion", Version.get()); // beyond the spec: which build answers
        }));
    }

    /** The decoded, valid, unreserved channel of a channel route. */
    private static String channel(RestRoute route) {
        String channel = route.decodedId();
        checkChannel(channel);
        return channel;
    }

    private static void checkChannel(String channel) {
        if (!Channels.isValidName(channel)) {
            throw RestProblem.invalid("channel name must be 1-256 bytes without control characters");
        }
        if (Channels.isReserved(channel)) {
            throw new RestProblem(RestError.CHANNEL_RESERVED, "reserved channel prefix: " + channel);
        }
    }

    /** Action first (403 action_not_permitted), then patterns (403 channel_not_authorized), per §1.3. */
    private static void authorize(Key key, Action action, String channel) {
        if (!key.config().actions().contains(action)) {
            throw new RestProblem(RestError.ACTION_NOT_PERMITTED, "key lacks the '" + action.wire() + "' action");
        }
        if (!key.grants().allows(channel)) {
            throw new RestProblem(RestError.CHANNEL_NOT_AUTHORIZED, "channel not in key's allowed patterns: "
                    + channel);
        }
    }

    private static HttpReply ok(byte[] json) {
        return new HttpReply(200, json);
    }
}
