package dev.switchboard.server.demo;

import dev.switchboard.core.Node;
import dev.switchboard.core.auth.Admission;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.core.auth.TokenVerifier;
import dev.switchboard.netty.HttpRoutes;
import dev.switchboard.protocol.RawJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The browser demo of the classroom use case (issue: "In the browser"), served beside the REST plane when
 * {@code server.demo} is on ({@code switchboard dev} turns it on; {@code serve} leaves it off):
 *
 * <ul>
 *   <li>{@code GET /} the classroom page, {@code GET /assets/NAME} its scripts, styles and the official SDK
 *       (copied from npm into the jar by the build);
 *   <li>{@code POST /demo/token} {@code {name, avatar, role}}: a one-hour JWT for the {@code classroom/**} channels
 *       with that identity as {@code peerMetadata}, minted here with the first app's secret key, so no secret
 *       reaches the browser;
 *   <li>{@code GET /call}: a WebRTC call on the SDK's {@code MeteredPeer}, signalled only through this server;
 *   <li>{@code GET /dashboard} and {@code GET /demo/stats}: who is online, per channel, with the app's counters;
 *   <li>{@code POST /demo/remove} {@code {peerId}} and {@code POST /demo/notice} {@code {room, text}}: the teacher
 *       tools, a kick and a system message through the node's control plane, allowed only with
 *       {@code Authorization: Bearer <JWT>} of a teacher or moderator.
 * </ul>
 *
 * Anyone who can reach the port can mint a token here: it is a development aid, which is why it is off in
 * {@code serve} unless configured.
 */
public final class DemoRoutes implements HttpRoutes {
    static final String ROOM_PREFIX = "classroom/";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern ASSET = Pattern.compile("/assets/([a-z0-9][a-z0-9.-]{0,63}\\.(?:js|mjs|css|svg|html))");
    private static final Pattern PEER = Pattern.compile("[a-z0-9-]{1,64}");
    private static final List<String> ROLES = List.of("student", "teacher", "moderator");
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml",
            "html", "text/html; charset=utf-8");
    private static final long TOKEN_SECONDS = 3600;

    private final Node node;
    private final HttpRoutes next;
    private final SecureRandom random = new SecureRandom();

    /** @param next the routes answered when no demo route matches (the REST plane) */
    public DemoRoutes(Node node, HttpRoutes next) {
        this.node = node;
        this.next = next;
    }

    @Override
    public HttpReply screen(HttpCall head) {
        return isDemo(head) ? null : next.screen(head);
    }

    @Override
    public HttpReply handle(HttpCall call) {
        if (!isDemo(call)) {
            return next.handle(call);
        }
        try {
            return switch (call.method() + " " + call.rawPath()) {
                case "GET /", "GET /index.html" -> asset("classroom.html");
                case "GET /dashboard" -> asset("dashboard.html");
                case "GET /call" -> asset("call.html");
                case "GET /demo/stats" -> stats();
                case "POST /demo/token" -> token(call);
                case "POST /demo/remove" -> remove(call);
                case "POST /demo/notice" -> notice(call);
                default -> {
                    var m = ASSET.matcher(call.rawPath());
                    yield !m.matches() || !call.method().equals("GET") ? null
                            : m.group(1).equals("realtime.mjs") ? asset("vendor/index.mjs") : asset(m.group(1));
                }
            };
        } catch (Refusal refusal) {
            return refusal.reply;
        }
    }

    private static boolean isDemo(HttpCall call) {
        String path = call.rawPath();
        return path.equals("/") || path.equals("/index.html") || path.equals("/dashboard") || path.equals("/call")
                || path.startsWith("/assets/") || path.startsWith("/demo/");
    }

    /** A file of the page from the jar ({@code web/}; the SDK in {@code web/vendor/}, copied from npm by the build). */
    private static HttpReply asset(String name) {
        try (InputStream in = DemoRoutes.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                return null; // 404
            }
            return new HttpReply(200, in.readAllBytes(), TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
        } catch (IOException e) {
            return null;
        }
    }

    private HttpReply token(HttpCall call) {
        JsonNode body = body(call);
        String name = text(body, "name", 1, 40);
        String avatar = text(body, "avatar", 0, 16);
        String role = text(body, "role", 1, 16);
        if (!ROLES.contains(role)) {
            throw new Refusal(400, "role must be one of " + ROLES);
        }
        String peerId = body.path("peerId").isString() && PEER.matcher(body.path("peerId").asString()).matches()
                ? body.path("peerId").asString() : "p-" + HexFormat.of().formatHex(randomBytes());
        Signer signer = signer().orElseThrow(() -> new Refusal(503, "no app with an enabled secret key"));
        ObjectNode metadata = JSON.createObjectNode().put("name", name).put("avatar", avatar).put("role", role);
        long now = System.currentTimeMillis() / 1000;
        String jwt = TokenMinter.mint(signer.key(), new TokenRequest(peerId, now, now + TOKEN_SECONDS,
                List.of(ROOM_PREFIX + "**"), null, null, RawJson.of(metadata.toString())));
        return ok(JSON.createObjectNode().put("token", jwt).put("peerId", peerId));
    }

    /**
     * {@code GET /demo/stats}: the demo app's channels with their members' metadata, and its counters, for the
     * who's-online dashboard (which polls it; the protocol has no app-wide presence feed).
     */
    private HttpReply stats() {
        Signer signer = signer().orElseThrow(() -> new Refusal(503, "no app with an enabled secret key"));
        String app = signer.app().id();
        ObjectNode body = JSON.createObjectNode();
        var usage = node.usage(app);
        body.putObject("usage").put("appId", app).put("connections", usage.concurrentNow())
                .put("peakConnections", usage.peakConcurrent()).put("messages", usage.messagesUsed())
                .put("connectionsOpened", usage.connectionsOpened());
        var channels = body.putArray("channels");
        node.channels(app).forEach((name, members) -> {
            ObjectNode channel = channels.addObject().put("channel", name).put("members", members.size());
            var peers = channel.putArray("peers");
            for (var peer : members) {
                ObjectNode entry = peers.addObject().put("peerId", peer.peerId());
                if (peer.metadata() != null) {
                    entry.set("metadata", parse(peer.metadata().toString()));
                }
            }
        });
        return ok(body);
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[6];
        random.nextBytes(bytes);
        return bytes;
    }

    private HttpReply remove(HttpCall call) {
        Signer signer = moderator(call);
        String peerId = text(body(call), "peerId", 1, 128);
        return HttpReply.later(node.kick(signer.app().id(), peerId)
                .thenApply(closed -> ok(JSON.createObjectNode().put("peerId", peerId).put("closed", closed))));
    }

    private HttpReply notice(HttpCall call) {
        Signer signer = moderator(call);
        JsonNode body = body(call);
        String room = text(body, "room", 1, 64);
        String text = text(body, "text", 1, 500);
        ObjectNode data = JSON.createObjectNode().put("kind", "notice").put("text", text);
        return HttpReply.later(node.publish(signer.app().id(), ROOM_PREFIX + room, "system",
                RawJson.of(data.toString()), null)
                .thenApply(delivery -> ok(JSON.createObjectNode().put("delivered", delivery.delivered()))));
    }

    /** The caller's JWT, which must carry the teacher or moderator role this page minted into it. */
    private Signer moderator(HttpCall call) {
        Signer signer = signer().orElseThrow(() -> new Refusal(503, "no app with an enabled secret key"));
        String auth = call.authorization();
        if (auth == null || !auth.startsWith("Bearer ")) {
            throw new Refusal(401, "send the teacher's token as Authorization: Bearer <JWT>");
        }
        Admission admission = new TokenVerifier(node.keyring()).verify(auth.substring(7).strip(),
                System.currentTimeMillis());
        if (!(admission instanceof Admission.Admitted admitted)) {
            throw new Refusal(401, "invalid token");
        }
        RawJson metadata = admitted.identity().peerMetadata();
        String role = metadata == null ? "" : parse(metadata.toString()).path("role").asString("");
        if (!role.equals("teacher") && !role.equals("moderator")) {
            throw new Refusal(403, "only a teacher or moderator may do this");
        }
        return signer;
    }

    private record Signer(AppConfig app, KeyConfig key) {
    }

    private Optional<Signer> signer() {
        for (AppConfig app : node.keyring().apps()) {
            for (KeyConfig key : app.keys()) {
                if (key.type() == KeyType.SECRET && key.enabled() && !app.suspended()) {
                    return Optional.of(new Signer(app, key));
                }
            }
        }
        return Optional.empty();
    }

    private static JsonNode body(HttpCall call) {
        JsonNode node = parse(new String(call.body(), StandardCharsets.UTF_8));
        if (!node.isObject()) {
            throw new Refusal(400, "body must be a JSON object");
        }
        return node;
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JacksonException | NumberFormatException e) {
            throw new Refusal(400, "body is not valid JSON");
        }
    }

    private static String text(JsonNode body, String field, int min, int max) {
        JsonNode value = body.path(field);
        String text = value.isString() ? value.asString().strip() : null;
        if (text == null || text.length() < min || text.length() > max || text.chars().anyMatch(c -> c < 0x20)) {
            throw new Refusal(400, field + " must be a string of " + min + "-" + max + " printable characters");
        }
        return text;
    }

    private static HttpReply ok(ObjectNode body) {
        return new HttpReply(200, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static final class Refusal extends RuntimeException {
        final HttpReply reply;

        Refusal(int status, String message) {
            super(message, null, false, false);
            ObjectNode body = JSON.createObjectNode().put("error", status == 400 ? "invalid_request"
                    : status == 401 ? "unauthorized" : status == 403 ? "forbidden" : "unavailable").put("message", message);
            this.reply = new HttpReply(status, body.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
