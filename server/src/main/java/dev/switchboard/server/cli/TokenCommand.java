package dev.switchboard.server.cli;

import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.Key;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.protocol.Limits;
import dev.switchboard.server.Durations;
import dev.switchboard.server.ConfigException;
import dev.switchboard.server.ConfigLoader;
import dev.switchboard.server.SwitchboardConfig;
import dev.switchboard.server.rest.MintRequest;
import dev.switchboard.server.rest.RestProblem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code switchboard token}: mints a connect JWT offline with a secret key from the configuration file, under
 * exactly the rules of {@code POST /v1/tokens} (rest-api.md §2). Prints the token alone on stdout so it can be
 * captured with {@code $(…)}; the expiry goes to stderr.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Mint a connect JWT offline, signed with a secret key of the configuration.",
                "Prints only the token on stdout, e.g. TOKEN=$(switchboard token --config dev.yaml --app dev --sub alice)."})
final class TokenCommand implements Callable<Integer> {
    private static final JsonMapper JSON = new JsonMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The server's YAML configuration (e.g. .switchboard/dev.yaml).")
    Path config;

    @Option(names = "--app", required = true, paramLabel = "ID", description = "The app the peer connects to.")
    String app;

    @Option(names = "--key", paramLabel = "KID",
            description = "The signing secret key id (sk_id_…); default: the app's first enabled secret key.")
    String keyId;

    @Option(names = "--sub", required = true, paramLabel = "PEER",
            description = "The peer id (JWT sub): 1-128 printable ASCII characters.")
    String sub;

    @Option(names = "--channels", arity = "1..*", split = ",", paramLabel = "PATTERN",
            description = "Narrow the token to these channels/patterns (each must be covered by the key's patterns).")
    List<String> channels;

    @Option(names = "--permissions", arity = "1..*", split = ",", paramLabel = "ACTION",
            description = "Narrow the actions: subscribe, publish, presence, send (default: the key's actions).")
    List<String> permissions;

    @Option(names = "--ttl", defaultValue = "1h", paramLabel = "DURATION",
            description = "Lifetime such as 90s, 30m or 1h; at most 24h (default: ${DEFAULT-VALUE}).")
    String ttl;

    @Option(names = "--peer-metadata", paramLabel = "JSON",
            description = "JSON object others see in presence (peerMetadata), at most 4096 bytes.")
    String peerMetadata;

    @Option(names = "--metadata", paramLabel = "JSON",
            description = "JSON object the peer itself receives in welcome (metadata), at most 8192 bytes.")
    String metadata;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            SwitchboardConfig loaded = ConfigLoader.load(config);
            Key key = signingKey(loaded);
            long now = Instant.now().getEpochSecond();
            TokenRequest claims = MintRequest.parse(JSON.writeValueAsBytes(body())).authorize(key, now);
            PrintWriter out = spec.commandLine().getOut();
            out.println(TokenMinter.mint(key.config(), claims));
            out.flush();
            err.println("switchboard token: sub=" + claims.sub() + " app=" + app + " kid=" + key.config().id()
                    + " expires " + Instant.ofEpochSecond(claims.expiresAtSeconds()));
            return 0;
        } catch (ConfigException e) {
            err.println("switchboard token: " + e.getMessage());
        } catch (RestProblem e) {
            err.println("switchboard token: " + e.getMessage());
        } catch (UsageError e) {
            err.println("switchboard token: " + e.getMessage());
        }
        return 2;
    }

    private Key signingKey(SwitchboardConfig loaded) {
        AppConfig appConfig = loaded.apps().stream().filter(a -> a.id().equals(app)).findFirst()
                .orElseThrow(() -> new UsageError("--app " + app + " is not in " + config + "; its apps are "
                        + loaded.apps().stream().map(AppConfig::id).toList()));
        String kid = keyId;
        if (kid == null) {
            kid = appConfig.keys().stream().filter(k -> k.type() == KeyType.SECRET && k.enabled())
                    .map(KeyConfig::id).findFirst()
                    .orElseThrow(() -> new UsageError("app " + app + " has no enabled secret key; add one with "
                            + "`switchboard keys new --type secret`"));
        }
        String wanted = kid;
        Optional<Key> key = new Keyring(loaded.apps()).secret(kid).filter(k -> k.app().id().equals(app));
        return key.orElseThrow(() -> new UsageError("--key " + wanted + " is not an enabled secret key of app "
                + app + " in " + config));
    }

    private ObjectNode body() {
        ObjectNode body = JSON.createObjectNode();
        body.put("peerId", sub);
        if (channels != null) {
            ArrayNode list = body.putArray("channels");
            channels.forEach(list::add);
        }
        if (permissions != null) {
            ArrayNode list = body.putArray("permissions");
            permissions.forEach(list::add);
        }
        long seconds = Durations.parse(ttl)
                .orElseThrow(() -> new UsageError("--ttl " + ttl + " is not a duration; use e.g. " + Durations.EXAMPLES))
                .toSeconds();
        if (seconds < 1 || seconds > Limits.MAX_TOKEN_TTL_SECONDS) {
            throw new UsageError("--ttl " + ttl + " is out of range: tokens live from 1s to 24h");
        }
        body.put("expiresInSec", seconds);
        if (metadata != null) {
            body.set("metadata", json(metadata, "--metadata"));
        }
        if (peerMetadata != null) {
            body.set("peerMetadata", json(peerMetadata, "--peer-metadata"));
        }
        return body;
    }

    static JsonNode json(String text, String option) {
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw new UsageError(option + " is not valid JSON (" + e.getOriginalMessage()
                    + "); quote it for the shell, e.g. " + option + " '{\"name\":\"Alice\"}'");
        }
    }
}
