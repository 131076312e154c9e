package dev.switchboard.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.server.ConfigException;
import dev.switchboard.server.ConfigLoader;
import dev.switchboard.server.SwitchboardConfig;
import org.junit.jupiter.api.Test;

/** The configuration fields of the REST plane: {@code server.restRateLimit} and {@code apps[].plan}. */
class RestConfigTest {

    @Test
    void defaultsAreGenerousAndExemptLoopback() throws Exception {
        SwitchboardConfig config = ConfigLoader.parse("t", RestHarness.yaml(""));
        assertThat(config.restRateLimit()).isEqualTo(new RestRateLimit(50, 100, 100, 200, true));
        assertThat(config.plans()).containsOnlyKeys("app_quota");
        assertThat(config.plans().get("app_quota")).isEqualTo(new Plan("SIGNALLING_BASIC", true, true));
    }

    @Test
    void unknownOrBadRateLimitFieldsAreRefusedWithTheirPath() {
        assertThatThrownBy(() -> ConfigLoader.parse("t", RestHarness.yaml("restRateLimit: {perSecond: 5}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.restRateLimit.perSecond");
        assertThatThrownBy(() -> ConfigLoader.parse("t", RestHarness.yaml("restRateLimit: {perKey: -1}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.restRateLimit.perKey");
    }
}
