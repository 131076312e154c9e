package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code metrics:} and {@code health:} in the configuration file. */
class OpsConfigTest {
    private static final String APPS = """
            apps:
              - id: a
                keys:
                  - { type: publishable, id: pk_live_opsconfig00000000000001, channelPatterns: ["**"] }
            """;

    @TempDir
    Path dir;

    private static SwitchboardConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("test.yaml", yaml + APPS);
    }

    @Test
    void metricsAreOnWithoutATokenOnTheMainPortByDefault() throws Exception {
        assertThat(parse("").ops()).isEqualTo(OpsConfig.DEFAULTS);
        assertThat(OpsConfig.DEFAULTS.metrics()).isTrue();
        assertThat(OpsConfig.DEFAULTS.separateListener()).isFalse();
    }

    @Test
    void everyFieldIsRead() throws Exception {
        OpsConfig ops = parse("""
                metrics: { enabled: false, bearerToken: abcdefghijklmnop, host: 10.0.0.1, port: 9464 }
                health: { maxEventLoopLag: 250ms }
                """).ops();
        assertThat(ops).isEqualTo(new OpsConfig(false, "abcdefghijklmnop", "10.0.0.1", 9464, Duration.ofMillis(250)));
    }

    @Test
    void aTokenOfSixteenCharactersIsEnough() throws Exception {
        assertThat(parse("metrics: { bearerToken: abcdefghijklmnop }\n").ops().metricsToken())
                .isEqualTo("abcdefghijklmnop");
    }

    @Test
    void theTokenMayComeFromAFileBesideTheConfiguration() throws Exception {
        Files.writeString(dir.resolve("metrics-token"), "from-a-file-0123456789\n");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, "metrics: { bearerTokenFile: metrics-token }\n" + APPS);
        assertThat(ConfigLoader.load(file).ops().metricsToken()).isEqualTo("from-a-file-0123456789");
    }

    @Test
    void badValuesAreRefusedWithTheirField() {
        assertThatThrownBy(() -> parse("metrics: { bearerToken: abcdefghijklmno }\n")) // 15 characters
                .isInstanceOf(ConfigException.class).hasMessageContaining("metrics.bearerToken")
                .hasMessageContaining("16");
        assertThatThrownBy(() -> parse("metrics: { bearerToken: \"abcdefgh ijklmnop\" }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("without spaces");
        assertThatThrownBy(() -> parse("metrics: { bearerToken: abcdefghijklmnop, bearerTokenFile: x }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("metrics.bearerToken")
                .hasMessageContaining("give one of");
        assertThatThrownBy(() -> parse("metrics: { port: 9464 }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("metrics.host");
        assertThatThrownBy(() -> parse("metrics: { bearer: x }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("metrics.bearer");
        assertThatThrownBy(() -> parse("health: { maxEventLoopLag: 0s }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("health.maxEventLoopLag");
        assertThatThrownBy(() -> parse("metrics: { bearerTokenFile: does-not-exist }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read");
    }
}
