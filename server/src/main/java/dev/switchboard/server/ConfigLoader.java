package dev.switchboard.server;

import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.TurnConfig;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.netty.NettyServerConfig;
import dev.switchboard.netty.TlsContext;
import dev.switchboard.netty.TlsFiles;
import dev.switchboard.protocol.Channels;
import dev.switchboard.server.rest.Plan;
import dev.switchboard.server.rest.RestRateLimit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the YAML configuration (auth.md §1 shape plus {@code server:}) and validates all of it before anything
 * listens. Every refusal names the field path and the reason; unknown fields are refused too, so a typo in a
 * limit does not silently fall back to the default.
 */
public final class ConfigLoader {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final int MIN_SECRET_BYTES = 32;

    private final String source;
    private final Path file;
    private final Map<String, String> overrides;
    private final Map<String, String> env;

    private ConfigLoader(String source, Path file, Map<String, String> overrides, Map<String, String> env) {
        this.source = source;
        this.file = file;
        this.overrides = Map.copyOf(overrides);
        this.env = env;
    }

    /** Loads and validates {@code file}. */
    public static SwitchboardConfig load(Path file) throws ConfigException {
        return load(file, Map.of(), System.getenv());
    }

    /**
     * Loads {@code file} with {@code overrides} ({@link ConfigOverrides}: path to YAML scalar) applied over it, and
     * {@code env} for the secrets the file names by variable ({@code secretEnv}), then validates the result.
     */
    public static SwitchboardConfig load(Path file, Map<String, String> overrides, Map<String, String> env)
            throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "", "cannot read file: " + e.getMessage());
        }
        return new ConfigLoader(file.toString(), file, overrides, env).read(text);
    }

    /** Validates YAML text; {@code source} names it in errors. */
    public static SwitchboardConfig parse(String source, String yaml) throws ConfigException {
        return parse(source, yaml, Map.of(), Map.of());
    }

    /** Validates YAML text with {@code overrides} over it and {@code env} for {@code secretEnv} references. */
    public static SwitchboardConfig parse(String source, String yaml, Map<String, String> overrides,
                                          Map<String, String> env) throws ConfigException {
        return new ConfigLoader(source, null, overrides, env).read(yaml);
    }

    private SwitchboardConfig read(String yaml) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw new ConfigException(source, "", "not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw fail("", "the file is empty; it needs at least an 'apps' list");
        }
        object(root, "");
        applyOverrides((ObjectNode) root);
        allowOnly(root, "", Set.of("server", "apps", "turn", "metrics", "health", "broker"));

        JsonNode server = root.path("server");
        if (!server.isMissingNode() && !server.isNull()) {
            object(server, "server");
        }
        allowOnly(server, "server", Set.of("host", "port", "ioThreads", "transport", "maxMessageSize",
                "outboxMaxBytes", "httpIdleTimeout", "keepalive", "rateLimit", "connectThrottle", "drain", "restRateLimit",
                "stateDir", "trustedProxies", "proxyProtocol", "outboundBudget", "historyBudget", "demo", "tls"));
        NettyServerConfig listener = listener(server);
        NodeSettings node = nodeSettings(server);
        boolean behindProxies = !listener.trustedProxies().isEmpty();

        JsonNode appsNode = root.path("apps");
        if (!appsNode.isArray() || appsNode.isEmpty()) {
            throw fail("apps", "must be a non-empty list of apps");
        }
        TurnConfig turn = turn(root, "");
        List<AppConfig> apps = new ArrayList<>();
        Map<String, Plan> plans = new HashMap<>();
        Set<String> appIds = new HashSet<>();
        Set<String> keyIds = new HashSet<>();
        for (int i = 0; i < appsNode.size(); i++) {
            AppConfig app = app(appsNode.get(i), "apps[" + i + "]", keyIds, turn);
            if (!appIds.add(app.id())) {
                throw fail("apps[" + i + "].id", "duplicate app id " + app.id());
            }
            apps.add(app);
            Plan plan = plan(appsNode.get(i), "apps[" + i + "]");
            if (plan != null) {
                plans.put(app.id(), plan);
            }
        }
        try {
            new Keyring(apps);
        } catch (IllegalArgumentException e) {
            throw fail("apps", e.getMessage());
        }
        return new SwitchboardConfig(listener, node, apps, restRateLimit(server, behindProxies), plans, file,
                stateDir(server), bool(server, "server", "demo", false), ops(root), overrides, broker(root));
    }

    /** Puts each override into the tree at its path, as the YAML value it spells, before anything is validated. */
    private void applyOverrides(ObjectNode root) throws ConfigException {
        for (Map.Entry<String, String> override : overrides.entrySet()) {
            String[] parts = override.getKey().split("\\.");
            ObjectNode parent = root;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode child = parent.path(parts[i]);
                if (!child.isObject()) {
                    child = parent.putObject(parts[i]);
                }
                parent = (ObjectNode) child;
            }
            JsonNode value;
            try {
                value = YAML.readTree(override.getValue());
            } catch (JacksonException e) {
                throw fail(override.getKey(), "the value from " + ConfigOverrides.envName(override.getKey())
                        + " or --set is not a YAML value: " + e.getOriginalMessage());
            }
            parent.set(parts[parts.length - 1], value == null || value.isMissingNode()
                    ? parent.nullNode() : value);
        }
    }

    /**
     * A secret given as {@code name} in the file, or read from the file {@code nameFile} (relative to this one)
     * or the environment variable {@code nameEnv}: at most one of the three; null if none.
     */
    private String secretValue(JsonNode node, String path, String name) throws ConfigException {
        String inline = text(node, path, name, null);
        String fromFile = text(node, path, name + "File", null);
        String fromEnv = text(node, path, name + "Env", null);
        int given = (inline == null ? 0 : 1) + (fromFile == null ? 0 : 1) + (fromEnv == null ? 0 : 1);
        if (given > 1) {
            throw fail(path + "." + name, "give one of " + name + ", " + name + "File and " + name + "Env");
        }
        if (fromFile != null) {
            Path secretFile = path(fromFile, path + "." + name + "File");
            try {
                return Files.readString(secretFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw fail(path + "." + name + "File", "cannot read " + secretFile + ": " + e.getMessage());
            }
        }
        if (fromEnv != null) {
            String value = env.get(fromEnv);
            if (value == null || value.isBlank()) {
                throw fail(path + "." + name + "Env", "the environment variable " + fromEnv + " is not set");
            }
            return value.strip();
        }
        return inline;
    }

    /**
     * {@code broker:} ({@code type} memory or redis; for redis {@code uri}, {@code uriFile} or {@code uriEnv}, and
     * optionally {@code cluster} for a Redis Cluster, {@code caFile} for a private CA of {@code rediss://} and
     * {@code nodeId}).
     */
    private BrokerConfig broker(JsonNode root) throws ConfigException {
        JsonNode broker = section(root, "", "broker",
                Set.of("type", "uri", "uriFile", "uriEnv", "cluster", "caFile", "nodeId"));
        String type = text(broker, "broker", "type", "memory");
        String uri = secretValue(broker, "broker", "uri");
        String nodeId = text(broker, "broker", "nodeId", null);
        boolean cluster = bool(broker, "broker", "cluster", false);
        String caFile = text(broker, "broker", "caFile", null);
        switch (type) {
            case "memory" -> {
                if (uri != null || nodeId != null || cluster || caFile != null) {
                    throw fail("broker.type", "is memory (the default), which takes no uri, cluster, caFile or "
                            + "nodeId; set type: redis to run as a node of a cluster");
                }
                return BrokerConfig.MEMORY;
            }
            case "redis" -> {
                if (uri == null || !(uri.startsWith("redis://") || uri.startsWith("rediss://"))) {
                    throw fail("broker.uri", "is required with type redis: redis://[:password@]host:port[/db] "
                            + "or rediss://... for TLS");
                }
                if (nodeId != null && (nodeId.isEmpty() || nodeId.length() > 64
                        || !nodeId.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
                    throw fail("broker.nodeId", "must be 1-64 printable ASCII characters without spaces");
                }
                if (caFile != null && !uri.startsWith("rediss://")) {
                    throw fail("broker.caFile", "is for TLS: use it with a rediss:// uri");
                }
                if (caFile != null && !Files.isReadable(Path.of(caFile))) {
                    throw fail("broker.caFile", "cannot read " + caFile);
                }
                return new BrokerConfig(type, uri, cluster, caFile, nodeId);
            }
            default -> throw fail("broker.type", "must be memory or redis, not " + type);
        }
    }

    /**
     * {@code metrics:} ({@code enabled}, {@code bearerToken} or {@code bearerTokenFile}, and {@code host} with
     * {@code port} for a listener of its own) and {@code health:} ({@code maxEventLoopLag}).
     */
    private OpsConfig ops(JsonNode root) throws ConfigException {
        JsonNode metrics = section(root, "", "metrics",
                Set.of("enabled", "bearerToken", "bearerTokenFile", "bearerTokenEnv", "host", "port"));
        JsonNode health = section(root, "", "health", Set.of("maxEventLoopLag"));
        String token = secretValue(metrics, "metrics", "bearerToken");
        if (token != null && (token.length() < 16 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw fail("metrics.bearerToken", "must be at least 16 printable ASCII characters without spaces");
        }
        String host = text(metrics, "metrics", "host", null);
        int port = integer(metrics, "metrics", "port", 0, 0, 65535);
        if (host == null && !metrics.path("port").isMissingNode()) {
            throw fail("metrics.host", "is required with metrics.port (the address of the metrics listener)");
        }
        Duration lag = duration(health, "health", "maxEventLoopLag", OpsConfig.DEFAULT_MAX_EVENT_LOOP_LAG);
        if (lag.isZero()) {
            throw fail("health.maxEventLoopLag", "must be positive");
        }
        return new OpsConfig(bool(metrics, "metrics", "enabled", true), token, host, port, lag);
    }

    /**
     * {@code server.stateDir}: where the server keeps what must survive a restart (the message quota's count, the
     * process id for {@code switchboard reload}). Relative paths resolve against the configuration file's folder;
     * the default is {@code state} beside the file. Text configurations without a file have none unless set.
     */
    private Path stateDir(JsonNode server) throws ConfigException {
        String dir = text(server, "server", "stateDir", null);
        if (dir == null) {
            return file == null ? null : file.toAbsolutePath().getParent().resolve("state");
        }
        return path(dir, "server.stateDir");
    }

    /** A path from the file: a relative one resolves against the configuration file's folder. */
    private Path path(String value, String field) throws ConfigException {
        Path base = file == null ? null : file.toAbsolutePath().getParent();
        try {
            Path path = Path.of(value);
            return base == null || path.isAbsolute() ? path.toAbsolutePath() : base.resolve(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw fail(field, "not a valid path: " + e.getMessage());
        }
    }

    /**
     * {@code server.tls}: native TLS from a PEM certificate chain and its private key, loaded here once so that a
     * file that is missing, unreadable, encrypted or mismatched is refused with its field before the server
     * listens (or before a reload changes anything).
     */
    private TlsFiles tls(JsonNode server) throws ConfigException {
        JsonNode node = section(server, "server", "tls", Set.of("certificate", "privateKey"));
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        String certificate = text(node, "server.tls", "certificate", null);
        String privateKey = text(node, "server.tls", "privateKey", null);
        if (certificate == null || privateKey == null) {
            throw fail(certificate == null ? "server.tls.certificate" : "server.tls.privateKey",
                    "is required: the path of a PEM file (the certificate with its chain, and its private key)");
        }
        TlsFiles files = new TlsFiles(path(certificate, "server.tls.certificate"),
                path(privateKey, "server.tls.privateKey"));
        if (!Files.isReadable(files.certificate())) {
            throw fail("server.tls.certificate", "cannot read " + files.certificate());
        }
        if (!Files.isReadable(files.privateKey())) {
            throw fail("server.tls.privateKey", "cannot read " + files.privateKey());
        }
        try {
            TlsContext.check(files);
        } catch (IllegalArgumentException e) {
            throw fail("server.tls", e.getMessage());
        }
        return files;
    }

    /** {@code server.restRateLimit} (rest-api.md §1.5); rates of 0 disable a limit. */
    private RestRateLimit restRateLimit(JsonNode server, boolean behindProxies) throws ConfigException {
        RestRateLimit d = RestRateLimit.DEFAULTS;
        String path = "server.restRateLimit";
        JsonNode node = section(server, "server", "restRateLimit",
                Set.of("perKey", "perKeyBurst", "perIp", "perIpBurst", "exemptLoopback"));
        return new RestRateLimit(integer(node, path, "perKey", d.perKey(), 0, 1_000_000),
                integer(node, path, "perKeyBurst", d.perKeyBurst(), 1, 1_000_000),
                integer(node, path, "perIp", d.perIp(), 0, 1_000_000),
                integer(node, path, "perIpBurst", d.perIpBurst(), 1, 1_000_000),
                bool(node, path, "exemptLoopback", d.exemptLoopback() && !behindProxies));
    }

    /** {@code apps[i].plan}: the plan fields reported by {@code GET /v1/usage}; null when absent. */
    private Plan plan(JsonNode app, String path) throws ConfigException {
        JsonNode node = section(app, path, "plan", Set.of("name", "overagesAllowed", "overagesEnabled"));
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        boolean allowed = bool(node, path + ".plan", "overagesAllowed", false);
        return new Plan(text(node, path + ".plan", "name", null), allowed,
                bool(node, path + ".plan", "overagesEnabled", allowed));
    }

    private NettyServerConfig listener(JsonNode server) throws ConfigException {
        String host = text(server, "server", "host", "127.0.0.1");
        int port = integer(server, "server", "port", 7070, 0, 65535);
        int ioThreads = integer(server, "server", "ioThreads", 0, 0, 1024);
        String transport = text(server, "server", "transport", "auto");
        if (!Set.of("auto", "io_uring", "epoll", "nio").contains(transport)) {
            throw fail("server.transport", "must be one of auto, io_uring, epoll, nio");
        }
        Duration httpIdleTimeout = duration(server, "server", "httpIdleTimeout", NettyServerConfig.DEFAULT_HTTP_IDLE_TIMEOUT);
        if (httpIdleTimeout.isZero()) {
            throw fail("server.httpIdleTimeout", "must be positive");
        }
        JsonNode throttle = section(server, "server", "connectThrottle",
                Set.of("attempts", "window", "exemptLoopback"));
        List<String> proxies = strings(server, "server", "trustedProxies");
        boolean proxyProtocol = bool(server, "server", "proxyProtocol", false);
        try {
            return new NettyServerConfig(host, port, ioThreads, transport,
                    integer(throttle, "server.connectThrottle", "attempts", 60, 0, Integer.MAX_VALUE),
                    duration(throttle, "server.connectThrottle", "window", Duration.ofSeconds(60)),
                    // Behind a proxy every client arrives from a proxy's address, often loopback: exempting it
                    // would switch the per-IP limit off silently, so the default follows the proxy list.
                    bool(throttle, "server.connectThrottle", "exemptLoopback", proxies.isEmpty()),
                    httpIdleTimeout, proxies, proxyProtocol, tls(server));
        } catch (IllegalArgumentException e) {
            throw fail(proxyProtocol && proxies.isEmpty() ? "server.proxyProtocol" : "server.trustedProxies",
                    e.getMessage());
        }
    }

    private NodeSettings nodeSettings(JsonNode server) throws ConfigException {
        NodeSettings defaults = NodeSettings.defaults();
        JsonNode keepalive = section(server, "server", "keepalive", Set.of("interval", "grace"));
        JsonNode rate = section(server, "server", "rateLimit", Set.of("burst", "perSecond"));
        int maxMessageSize = integer(server, "server", "maxMessageSize", defaults.maxMessageSize(), 1, 16 << 20);
        long outbox = integer(server, "server", "outboxMaxBytes", (int) defaults.outboxMaxBytes(), 1, Integer.MAX_VALUE);
        if (outbox < maxMessageSize + 4096L) {
            throw fail("server.outboxMaxBytes", "must hold at least one maximal frame (" + (maxMessageSize + 4096) + " bytes)");
        }
        Duration interval = duration(keepalive, "server.keepalive", "interval", defaults.pingInterval());
        Duration grace = duration(keepalive, "server.keepalive", "grace", defaults.pingGrace());
        if (interval.isZero() || grace.isZero()) {
            throw fail("server.keepalive", "interval and grace must be positive");
        }
        int burst = integer(rate, "server.rateLimit", "burst", defaults.rateBurst(), 1, Integer.MAX_VALUE);
        JsonNode perSecondNode = rate.path("perSecond");
        double perSecond = defaults.ratePerSecond();
        if (!perSecondNode.isMissingNode() && !perSecondNode.isNull()) {
            if (!perSecondNode.isNumber() || perSecondNode.asDouble() <= 0) {
                throw fail("server.rateLimit.perSecond", "must be a positive number");
            }
            perSecond = perSecondNode.asDouble();
        }
        Duration drain = duration(server, "server", "drain", defaults.drainTimeout());
        Long budget = optionalLong(server, "server", "outboundBudget");
        long outboundBudget = budget == null ? Math.max(outbox, NodeSettings.defaultOutboundBudget()) : budget;
        if (outboundBudget < outbox) {
            throw fail("server.outboundBudget", "must be at least outboxMaxBytes (" + outbox + " bytes)");
        }
        Long history = optionalLong(server, "server", "historyBudget");
        if (history != null && history < 1) {
            throw fail("server.historyBudget", "must be at least 1 byte");
        }
        return new NodeSettings(maxMessageSize, burst, perSecond, outbox, interval, grace, drain, outboundBudget,
                history == null ? NodeSettings.defaultHistoryBudget() : history);
    }

    private AppConfig app(JsonNode node, String path, Set<String> keyIds, TurnConfig defaultTurn)
            throws ConfigException {
        object(node, path);
        allowOnly(node, path, Set.of("id", "suspended", "limits", "keys", "plan", "turn", "channels"));
        String id = requiredText(node, path, "id");
        boolean suspended = bool(node, path, "suspended", false);
        AppLimits limits = limits(node, path);
        JsonNode keysNode = node.path("keys");
        if (!keysNode.isArray() || keysNode.isEmpty()) {
            throw fail(path + ".keys", "must be a non-empty list of keys");
        }
        List<KeyConfig> keys = new ArrayList<>();
        for (int i = 0; i < keysNode.size(); i++) {
            String keyPath = path + ".keys[" + i + "]";
            KeyConfig key = key(keysNode.get(i), keyPath);
            if (!keyIds.add(key.id())) {
                throw fail(keyPath + ".id", "duplicate key id " + key.id() + " (key ids are unique across all apps)");
            }
            keys.add(key);
        }
        TurnConfig own = turn(node, path);
        return new AppConfig(id, suspended, limits, keys, own != null ? own : defaultTurn, channels(node, path));
    }

    /**
     * {@code apps[i].channels}: per-channel settings by pattern, first match wins (docs/history.md):
     * {@code {pattern, history: {size, ttl}, replayOnSubscribe, presence: {mode, threshold, interval, audience}}}.
     */
    private List<ChannelRule> channels(JsonNode app, String appPath) throws ConfigException {
        JsonNode list = app.path("channels");
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw fail(appPath + ".channels", "must be a list of {pattern, history, replayOnSubscribe, presence}");
        }
        List<ChannelRule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = appPath + ".channels[" + i + "]";
            JsonNode node = list.get(i);
            object(node, path);
            allowOnly(node, path, Set.of("pattern", "history", "replayOnSubscribe", "presence"));
            String pattern = requiredText(node, path, "pattern");
            if (!Channels.isValidName(pattern)) {
                throw fail(path + ".pattern", "is not a valid channel name or pattern");
            }
            JsonNode historyNode = section(node, path, "history", Set.of("size", "ttl"));
            ChannelRule.History history = null;
            if (!historyNode.isMissingNode() && !historyNode.isNull()) {
                history = rule(path + ".history", () -> new ChannelRule.History(
                        integer(historyNode, path + ".history", "size", 100, 1, ChannelRule.History.MAX_SIZE),
                        duration(historyNode, path + ".history", "ttl", Duration.ofMinutes(5))));
            }
            int replay = integer(node, path, "replayOnSubscribe", 0, 0, ChannelRule.History.MAX_SIZE);
            ChannelRule.PresenceRule presence = presenceRule(node, path);
            ChannelRule.History kept = history;
            rules.add(rule(path, () -> new ChannelRule(pattern, kept, replay, presence)));
        }
        return rules;
    }

    private ChannelRule.PresenceRule presenceRule(JsonNode rule, String rulePath) throws ConfigException {
        String path = rulePath + ".presence";
        JsonNode node = section(rule, rulePath, "presence", Set.of("mode", "threshold", "interval", "audience"));
        if (node.isMissingNode() || node.isNull()) {
            return ChannelRule.PresenceRule.FULL;
        }
        String modeName = text(node, path, "mode", "full");
        ChannelRule.Mode mode = switch (modeName) {
            case "full" -> ChannelRule.Mode.FULL;
            case "batched" -> ChannelRule.Mode.BATCHED;
            case "count" -> ChannelRule.Mode.COUNT;
            default -> throw fail(path + ".mode", "must be full, batched or count, not '" + modeName + "'");
        };
        int threshold = integer(node, path, "threshold", mode == ChannelRule.Mode.FULL ? 0 : 100, 0,
                Integer.MAX_VALUE);
        Duration interval = duration(node, path, "interval", Duration.ofSeconds(1));
        JsonNode audience = section(node, path, "audience", Set.of("roles", "actions"));
        Set<String> roles = Set.copyOf(strings(audience, path + ".audience", "roles"));
        Set<Action> actions = new HashSet<>();
        for (String name : strings(audience, path + ".audience", "actions")) {
            actions.add(Action.fromWire(name).orElseThrow(
                    () -> fail(path + ".audience.actions", "unknown action '" + name + "'")));
        }
        return rule(path, () -> new ChannelRule.PresenceRule(mode, threshold, interval, roles, actions));
    }

    /** Builds a rule, reporting the record's refusal ("field: reason") at {@code path}. */
    private <T> T rule(String path, RuleSupplier<T> build) throws ConfigException {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            throw colon < 0 ? fail(path, message) : fail(path + "." + message.substring(0, colon),
                    message.substring(colon + 2));
        }
    }

    @FunctionalInterface
    private interface RuleSupplier<T> {
        T get() throws ConfigException;
    }

    /**
     * {@code turn:} at the top level (every app) or under one app (that app only; it wins): ICE servers for the
     * welcome of {@code autoInjectTurn} keys (docs/webrtc.md). Null if absent.
     */
    private TurnConfig turn(JsonNode parent, String parentPath) throws ConfigException {
        String path = parentPath.isEmpty() ? "turn" : parentPath + ".turn";
        JsonNode node = parent.path("turn");
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        object(node, path);
        allowOnly(node, path, Set.of("urls", "secret", "secretFile", "secretEnv", "ttl", "iceServers"));
        List<TurnConfig.IceServer> servers = new ArrayList<>();
        JsonNode list = node.path("iceServers");
        if (!list.isMissingNode() && !list.isNull()) {
            if (!list.isArray()) {
                throw fail(path + ".iceServers", "must be a list of {urls, username, credential}");
            }
            for (int i = 0; i < list.size(); i++) {
                String entry = path + ".iceServers[" + i + "]";
                JsonNode server = list.get(i);
                object(server, entry);
                allowOnly(server, entry, Set.of("urls", "username", "credential"));
                List<String> urls = server.path("urls").isString() ? List.of(server.path("urls").asString())
                        : strings(server, entry, "urls");
                servers.add(new TurnConfig.IceServer(urls, text(server, entry, "username", null),
                        text(server, entry, "credential", null)));
            }
        }
        try {
            return new TurnConfig(strings(node, path, "urls"), secretValue(node, path, "secret"),
                    duration(node, path, "ttl", TurnConfig.DEFAULT_TTL), servers);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            throw colon < 0 ? fail(path, message) : fail(path + "." + message.substring(0, colon),
                    message.substring(colon + 2));
        }
    }

    /** {@code apps[i].limits} (docs/limits.md): every field optional; quotas null = unlimited. */
    private AppLimits limits(JsonNode app, String appPath) throws ConfigException {
        String path = appPath + ".limits";
        JsonNode node = section(app, appPath, "limits", Set.of("maxConcurrentConnections", "maxMessagesPerPeriod",
                "period", "messageRatePerSecond", "messageRateBurst"));
        Long maxConnections = optionalLong(node, path, "maxConcurrentConnections");
        Long maxMessages = optionalLong(node, path, "maxMessagesPerPeriod");
        Duration period = duration(node, path, "period", AppLimits.DEFAULT_PERIOD);
        if (period.toMillis() < 1000) {
            throw fail(path + ".period", "must be at least 1s");
        }
        JsonNode rateNode = node.path("messageRatePerSecond");
        Double rate = null;
        if (!rateNode.isMissingNode() && !rateNode.isNull()) {
            if (!rateNode.isNumber() || !(rateNode.asDouble() > 0)) {
                throw fail(path + ".messageRatePerSecond", "must be a positive number");
            }
            rate = rateNode.asDouble();
        }
        Integer burst = node.path("messageRateBurst").isMissingNode() || node.path("messageRateBurst").isNull() ? null
                : integer(node, path, "messageRateBurst", 0, 1, Integer.MAX_VALUE);
        return new AppLimits(maxConnections == null ? null : (int) Math.min(Integer.MAX_VALUE, maxConnections),
                maxMessages, period, rate, burst);
    }

    private KeyConfig key(JsonNode node, String path) throws ConfigException {
        object(node, path);
        allowOnly(node, path, Set.of("type", "id", "secret", "secretFile", "secretEnv", "channelPatterns", "actions",
                "allowedOrigins", "enabled", "autoInjectTurn"));
        String typeName = requiredText(node, path, "type");
        KeyType type = switch (typeName) {
            case "secret" -> KeyType.SECRET;
            case "publishable" -> KeyType.PUBLISHABLE;
            default -> throw fail(path + ".type", "must be 'secret' or 'publishable', not '" + typeName + "'");
        };
        String id = requiredText(node, path, "id");
        String secret = null;
        if (type == KeyType.PUBLISHABLE) {
            if (!id.startsWith("pk_live_")) {
                throw fail(path + ".id", "a publishable key id starts with pk_live_");
            }
            for (String field : List.of("secret", "secretFile", "secretEnv")) {
                if (node.has(field)) {
                    throw fail(path + "." + field, "publishable keys have no secret; the id itself is the credential");
                }
            }
        } else {
            if (!id.startsWith("sk_id_")) {
                throw fail(path + ".id", "a secret key id starts with sk_id_");
            }
            secret = secretValue(node, path, "secret");
            if (secret == null) {
                throw fail(path + ".secret", "is required (or secretFile, or secretEnv)");
            }
            if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw fail(path + ".secret", "must be at least " + MIN_SECRET_BYTES
                        + " bytes (HS256 needs a 256-bit key); generate one with ./switchboard keys new");
            }
        }
        List<String> patterns = strings(node, path, "channelPatterns");
        for (int i = 0; i < patterns.size(); i++) {
            if (!Channels.isValidName(patterns.get(i))) {
                throw fail(path + ".channelPatterns[" + i + "]", "must be 1-256 bytes without control characters");
            }
        }
        Set<Action> actions = EnumSet.noneOf(Action.class);
        List<String> actionNames = strings(node, path, "actions");
        for (int i = 0; i < actionNames.size(); i++) {
            String name = actionNames.get(i);
            Action action = Action.fromWire(name).orElse(null);
            if (action == null) {
                throw fail(path + ".actions[" + i + "]",
                        "unknown action '" + name + "'; expected subscribe, publish, presence or send");
            }
            actions.add(action);
        }
        List<String> origins = strings(node, path, "allowedOrigins");
        if (type == KeyType.SECRET && !origins.isEmpty()) {
            throw fail(path + ".allowedOrigins", "only publishable keys are checked against the Origin header");
        }
        return new KeyConfig(type, id, secret, patterns, actions, origins, bool(node, path, "enabled", true),
                bool(node, path, "autoInjectTurn", true));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Typed field readers
    // ---------------------------------------------------------------------------------------------------------

    private JsonNode section(JsonNode parent, String path, String name, Set<String> allowed) throws ConfigException {
        JsonNode node = parent.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return node;
        }
        String field = path.isEmpty() ? name : path + "." + name;
        object(node, field);
        allowOnly(node, field, allowed);
        return node;
    }

    private void object(JsonNode node, String path) throws ConfigException {
        if (!node.isObject()) {
            throw fail(path, "must be a mapping");
        }
    }

    private void allowOnly(JsonNode node, String path, Set<String> allowed) throws ConfigException {
        if (!node.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
        while (fields.hasNext()) {
            String name = fields.next().getKey();
            if (!allowed.contains(name)) {
                throw fail(path.isEmpty() ? name : path + "." + name, "unknown field; expected one of "
                        + allowed.stream().sorted().toList());
            }
        }
    }

    private String requiredText(JsonNode node, String path, String name) throws ConfigException {
        JsonNode value = node.path(name);
        if (!value.isString() || value.asString().isEmpty()) {
            throw fail(path + "." + name, "is required and must be a non-empty string");
        }
        return value.asString();
    }

    private String text(JsonNode node, String path, String name, String fallback) throws ConfigException {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (!value.isString() || value.asString().isEmpty()) {
            throw fail(path + "." + name, "must be a non-empty string");
        }
        return value.asString();
    }

    private int integer(JsonNode node, String path, String name, int fallback, int min, int max) throws ConfigException {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
            throw fail(path + "." + name, "must be an integer from " + min + " to " + max);
        }
        return value.asInt();
    }

    private Long optionalLong(JsonNode node, String path, String name) throws ConfigException {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || value.asLong() < 0) {
            throw fail(path + "." + name, "must be a non-negative integer, or null for unlimited");
        }
        return value.asLong();
    }

    private boolean bool(JsonNode node, String path, String name, boolean fallback) throws ConfigException {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw fail(path + "." + name, "must be true or false");
        }
        return value.asBoolean();
    }

    private List<String> strings(JsonNode node, String path, String name) throws ConfigException {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw fail(path + "." + name, "must be a list of strings");
        }
        List<String> result = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isString()) {
                throw fail(path + "." + name + "[" + i + "]", "must be a string");
            }
            result.add(value.get(i).asString());
        }
        return result;
    }

    /** A duration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, or a bare number of seconds. */
    private Duration duration(JsonNode node, String path, String name, Duration fallback) throws ConfigException {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        Optional<Duration> parsed = value.isString() || value.isIntegralNumber()
                ? Durations.parse(value.asString()) : Optional.empty();
        if (parsed.isEmpty()) {
            throw fail(path + "." + name, "must be a duration such as " + Durations.EXAMPLES);
        }
        return parsed.get();
    }

    private ConfigException fail(String field, String reason) {
        return new ConfigException(source, field, reason);
    }
}
