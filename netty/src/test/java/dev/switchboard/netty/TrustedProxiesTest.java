package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
    private static final TrustedProxies PROXIES = TrustedProxies.of(List.of("127.0.0.1", "10.0.0.0/8", "fd00::/8"));

    private static InetAddress ip(String literal) {
        return TrustedProxies.literal(literal);
    }

    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    @Test
    void withoutTrustedProxiesTheTcpPeerIsTheClientWhateverTheHeadersSay() {
        assertThat(TrustedProxies.NONE.client(ip("127.0.0.1"), headers("X-Forwarded-For", "203.0.113.9")))
                .isEqualTo(ip("127.0.0.1"));
    }

    @Test
    void anUntrustedPeersHeadersAreIgnored() {
        assertThat(PROXIES.client(ip("198.51.100.1"), headers("X-Forwarded-For", "203.0.113.9")))
                .isEqualTo(ip("198.51.100.1"));
    }

    @Test
    void theChainIsWalkedFromTheRightWhileHopsAreTrusted() {
        // The client forged "1.2.3.4"; our edge proxy (10.1.1.1) appended the real client 203.0.113.9.
        HttpHeaders h = headers("X-Forwarded-For", "1.2.3.4, 203.0.113.9, 10.1.1.1");
        assertThat(PROXIES.client(ip("127.0.0.1"), h)).isEqualTo(ip("203.0.113.9"));
        assertThat(PROXIES.client(ip("127.0.0.1"), headers("X-Forwarded-For", "10.0.0.2")))
                .as("all hops trusted: the leftmost").isEqualTo(ip("10.0.0.2"));
        assertThat(PROXIES.client(ip("127.0.0.1"), headers("X-Forwarded-For", "unknown, 10.0.0.2")))
                .as("an unknown hop stops the walk").isEqualTo(ip("10.0.0.2"));
        assertThat(PROXIES.client(ip("127.0.0.1"), headers()))
                .as("a trusted peer without headers").isEqualTo(ip("127.0.0.1"));
    }

    @Test
    void forwardedIsPreferredAndItsQuotedIpv6AndPortsAreUnderstood() {
        HttpHeaders h = headers("Forwarded", "for=192.0.2.43:4711, for=\"[2001:db8:cafe::17]:8080\";proto=https",
                "X-Forwarded-For", "198.51.100.77");
        assertThat(PROXIES.client(ip("127.0.0.1"), h)).isEqualTo(ip("2001:db8:cafe::17"));
        assertThat(PROXIES.client(ip("127.0.0.1"), headers("Forwarded", "for=_hidden, for=10.0.0.9")))
                .isEqualTo(ip("10.0.0.9"));
    }

    @Test
    void ipv6ClientsAreLimitedOnTheirSlash64() {
        assertThat(TrustedProxies.limitKey(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")))
                .isEqualTo(TrustedProxies.limitKey(ip("2001:db8:1:2::1")))
                .isEqualTo(ip("2001:db8:1:2::"))
                .isNotEqualTo(TrustedProxies.limitKey(ip("2001:db8:1:3::1")));
        assertThat(TrustedProxies.limitKey(ip("192.0.2.1"))).isEqualTo(ip("192.0.2.1"));
    }

    @Test
    void rangesMatchByPrefix() {
        assertThat(PROXIES.trusts(ip("10.255.0.1"))).isTrue();
        assertThat(PROXIES.trusts(ip("11.0.0.1"))).isFalse();
        assertThat(PROXIES.trusts(ip("fdff::1"))).isTrue();
        assertThat(PROXIES.trusts(ip("fe00::1"))).isFalse();
        assertThat(TrustedProxies.of(List.of("192.168.1.0/23")).trusts(ip("192.168.0.200"))).isTrue();
        assertThat(TrustedProxies.of(List.of("192.168.1.0/23")).trusts(ip("192.168.2.1"))).isFalse();
    }

    @Test
    void entriesThatAreNotAddressesAreRefusedWithoutALookup() {
        assertThatThrownBy(() -> TrustedProxies.of(List.of("proxy.example.com")))
                .hasMessageContaining("'proxy.example.com' is not an IP address");
        assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/33"))).hasMessageContaining("0-32");
        assertThat(TrustedProxies.literal("localhost")).isNull();
        assertThat(TrustedProxies.literal("1.2.3")).isNull();
    }
}
