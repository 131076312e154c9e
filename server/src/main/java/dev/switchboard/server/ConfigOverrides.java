package dev.switchboard.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the configuration file given from outside it, the twelve-factor way (docs/deploy.md
 * "Configuration from the environment"): every {@code server:}, {@code metrics:}, {@code health:} and {@code broker:} setting as
 * an environment variable ({@code server.keepalive.interval} is {@code SWITCHBOARD_KEEPALIVE_INTERVAL},
 * {@code metrics.bearerToken} is {@code SWITCHBOARD_METRICS_BEARER_TOKEN}, {@code broker.uri} is
 * {@code SWITCHBOARD_BROKER_URI}) and as a {@code --set path=value}
 * flag. Precedence: flags over environment over file over defaults. Values are YAML scalars or flow lists
 * ({@code 8080}, {@code 30s}, {@code true}, {@code [10.0.0.0/8, 127.0.0.1]}), validated like the file's.
 */
public final class ConfigOverrides {
    /** Every setting that may be given from outside the file, as its path in the file. */
    public static final List<String> PATHS = List.of(
            "server.host", "server.port", "server.ioThreads", "server.transport", "server.maxMessageSize",
            "server.outboxMaxBytes", "server.httpIdleTimeout", "server.keepalive.interval", "server.keepalive.grace",
            "server.rateLimit.burst", "server.rateLimit.perSecond", "server.connectThrottle.attempts",
            "server.connectThrottle.window", "server.connectThrottle.exemptLoopback", "server.drain",
            "server.restRateLimit.perKey", "server.restRateLimit.perKeyBurst", "server.restRateLimit.perIp",
            "server.restRateLimit.perIpBurst", "server.restRateLimit.exemptLoopback", "server.stateDir",
            "server.trustedProxies", "server.proxyProtocol", "server.outboundBudget", "server.historyBudget",
            "server.demo", "server.tls.certificate", "server.tls.privateKey",
            "metrics.enabled", "metrics.bearerToken", "metrics.bearerTokenFile", "metrics.host", "metrics.port",
            "health.maxEventLoopLag", "broker.type", "broker.uri", "broker.uriFile", "broker.cluster", "broker.caFile",
            "broker.nodeId");

    private ConfigOverrides() {
    }

    /** The environment variable of {@code path}: {@code server.} dropped, camel case and dots to upper snake. */
    public static String envName(String path) {
        String name = path.startsWith("server.") ? path.substring("server.".length()) : path;
        StringBuilder env = new StringBuilder("SWITCHBOARD_");
        for (char c : name.toCharArray()) {
            if (c == '.') {
                env.append('_');
            } else if (Character.isUpperCase(c)) {
                env.append('_').append(c);
            } else {
                env.append(Character.toUpperCase(c));
            }
        }
        return env.toString();
    }

    /**
     * The overrides from {@code env} and then the {@code --set} flags (later wins), path to value.
     *
     * @throws ConfigException for a {@code --set} without {@code =} or with a path that cannot be overridden
     */
    public static Map<String, String> collect(Map<String, String> env, List<String> sets) throws ConfigException {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String path : PATHS) {
            String value = env.get(envName(path));
            if (value != null) {
                overrides.put(path, value);
            }
        }
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set", set, "expected PATH=VALUE, e.g. --set server.port=8080");
            }
            String path = set.substring(0, eq).strip();
            if (!PATHS.contains(path)) {
                throw new ConfigException("--set", path, "cannot be set from the command line; these can: "
                        + String.join(", ", PATHS));
            }
            overrides.put(path, set.substring(eq + 1));
        }
        return overrides;
    }
}
