package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code broker:} in the configuration file: the channel engine. */
class BrokerConfigTest {
    private static final String APPS = """
            apps:
              - id: a
                keys:
                  - { type: publishable, id: pk_live_brokerconfig000000000001, channelPatterns: ["**"] }
            """;

    @TempDir
    Path dir;

    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("test.yaml", yaml + APPS).broker();
    }

    @Test
    void theEngineIsInMemoryByDefault() throws Exception {
        assertThat(parse("")).isEqualTo(BrokerConfig.MEMORY);
    }

    @Test
    void aRedisClusterWithAPrivateCaIsRead() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        BrokerConfig broker = parse("broker: { type: redis, uri: \"rediss://:pw@10.0.0.5:7000,10.0.0.6:7000\", "
                + "cluster: true, caFile: " + ca + ", nodeId: web-1 }\n");
        assertThat(broker).isEqualTo(new BrokerConfig("redis", "rediss://:pw@10.0.0.5:7000,10.0.0.6:7000", true,
                ca.toString(), "web-1"));
        assertThat(broker.toString()).as("the password stays out of logs").doesNotContain("pw@")
                .contains("cluster");
    }

    @Test
    void badCombinationsAreRefusedWithTheirField() {
        assertThatThrownBy(() -> parse("broker: { cluster: true }\n"))
                .hasMessageContaining("broker.type").hasMessageContaining("memory");
        assertThatThrownBy(() -> parse("broker: { type: redis, uri: \"redis://h:1\", caFile: /x.pem }\n"))
                .hasMessageContaining("broker.caFile").hasMessageContaining("rediss://");
        assertThatThrownBy(() -> parse("broker: { type: redis, uri: \"rediss://h:1\", caFile: /nonexistent.pem }\n"))
                .hasMessageContaining("broker.caFile").hasMessageContaining("cannot read");
        assertThatThrownBy(() -> parse("broker: { type: redis, uri: \"redis://h:1\", cluster: yes-please }\n"))
                .hasMessageContaining("broker.cluster").hasMessageContaining("true or false");
    }
}
