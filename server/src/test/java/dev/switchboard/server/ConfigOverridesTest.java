package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings from the environment and {@code --set} over the file's, and secrets kept out of the file. */
class ConfigOverridesTest {
    private static final String FILE = """
            server: { host: 127.0.0.1, port: 7070, keepalive: { interval: 30s } }
            apps:
              - id: a
                keys:
                  - { type: secret, id: sk_id_overrides00000000000001, %s, channelPatterns: ["**"] }
            """;
    private static final String INLINE = "secret: sk_secret_inline_0123456789abcdef0123456789";

    @TempDir
    Path dir;

    @Test
    void environmentNamesFollowThePaths() {
        assertThat(ConfigOverrides.envName("server.port")).isEqualTo("SWITCHBOARD_PORT");
        assertThat(ConfigOverrides.envName("server.keepalive.interval")).isEqualTo("SWITCHBOARD_KEEPALIVE_INTERVAL");
        assertThat(ConfigOverrides.envName("server.restRateLimit.perIpBurst"))
                .isEqualTo("SWITCHBOARD_REST_RATE_LIMIT_PER_IP_BURST");
        assertThat(ConfigOverrides.envName("metrics.bearerToken")).isEqualTo("SWITCHBOARD_METRICS_BEARER_TOKEN");
        assertThat(ConfigOverrides.envName("health.maxEventLoopLag")).isEqualTo("SWITCHBOARD_HEALTH_MAX_EVENT_LOOP_LAG");
    }

    @Test
    void flagsWinOverTheEnvironmentWhichWinsOverTheFile() throws Exception {
        Map<String, String> overrides = ConfigOverrides.collect(
                Map.of("SWITCHBOARD_PORT", "8080", "SWITCHBOARD_KEEPALIVE_INTERVAL", "20s", "UNRELATED", "x"),
                List.of("server.port=9090", "server.trustedProxies=[10.0.0.0/8, 127.0.0.1]"));
        assertThat(overrides).containsOnlyKeys("server.port", "server.keepalive.interval", "server.trustedProxies");
        SwitchboardConfig config = ConfigLoader.parse("test.yaml", FILE.formatted(INLINE), overrides, Map.of());
        assertThat(config.listener().port()).isEqualTo(9090);
        assertThat(config.listener().host()).isEqualTo("127.0.0.1");
        assertThat(config.node().pingInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.listener().trustedProxies()).containsExactly("10.0.0.0/8", "127.0.0.1");
        assertThat(config.overrides()).isEqualTo(overrides);
    }

    @Test
    void anOverriddenValueIsValidatedLikeTheFilesAndNamed() {
        assertThatThrownBy(() -> ConfigLoader.parse("test.yaml", FILE.formatted(INLINE),
                Map.of("server.port", "seventy"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port");
        assertThatThrownBy(() -> ConfigOverrides.collect(Map.of(), List.of("apps.0.id=x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be set");
        assertThatThrownBy(() -> ConfigOverrides.collect(Map.of(), List.of("server.port")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PATH=VALUE");
    }

    @Test
    void aKeysSecretMayComeFromTheEnvironmentOrAFile() throws Exception {
        String secret = "sk_secret_fromenv_0123456789abcdef0123456789";
        SwitchboardConfig fromEnv = ConfigLoader.parse("test.yaml", FILE.formatted("secretEnv: KEY_SECRET"),
                Map.of(), Map.of("KEY_SECRET", secret));
        assertThat(fromEnv.apps().getFirst().keys().getFirst().secret()).isEqualTo(secret);

        Files.writeString(dir.resolve("key-secret"), secret + "\n");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, FILE.formatted("secretFile: key-secret"));
        assertThat(ConfigLoader.load(file).apps().getFirst().keys().getFirst().secret()).isEqualTo(secret);

        assertThatThrownBy(() -> ConfigLoader.parse("test.yaml", FILE.formatted("secretEnv: KEY_SECRET"),
                Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("secretEnv").hasMessageContaining("not set");
        assertThatThrownBy(() -> ConfigLoader.parse("test.yaml", FILE.formatted(INLINE + ", secretEnv: KEY_SECRET"),
                Map.of(), Map.of("KEY_SECRET", secret)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("give one of");
    }
}
