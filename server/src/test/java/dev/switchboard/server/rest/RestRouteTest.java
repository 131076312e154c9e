package dev.switchboard.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.server.rest.RestRoute.Endpoint;
import org.junit.jupiter.api.Test;

/** rest-api.md §1.4 and Q26: routing on the raw path. */
class RestRouteTest {

    @Test
    void channelIdIsEverythingBetweenThePrefixAndTheSuffix() {
        assertThat(RestRoute.match("GET", "/v1/channels/app/room-1/peers"))
                .isEqualTo(new RestRoute(Endpoint.PEERS, "app/room-1"));
        assertThat(RestRoute.match("POST", "/v1/channels/app%2Froom-1/publish"))
                .isEqualTo(new RestRoute(Endpoint.PUBLISH, "app%2Froom-1"));
        assertThat(RestRoute.match("GET", "/v1/channels/x/publish/peers"))
                .isEqualTo(new RestRoute(Endpoint.PEERS, "x/publish"));
        assertThat(RestRoute.match("GET", "/v1/channels//peers")).isEqualTo(new RestRoute(Endpoint.PEERS, ""));
    }

    @Test
    void unknownPathsAndOtherMethodsMatchNothing() {
        assertThat(RestRoute.match("GET", "/v1/channels/peers")).isNull();
        assertThat(RestRoute.match("GET", "/v1/channels/x")).isNull();
        assertThat(RestRoute.match("PUT", "/v1/peers/x")).isNull();
        assertThat(RestRoute.match("POST", "/v1/healthz")).isNull();
        assertThat(RestRoute.match("GET", "/v1/tokens")).isNull();
        assertThat(RestRoute.match("GET", "/v1/usage/")).isNull();
    }

    @Test
    void idsArePercentDecodedAsUtf8WithoutTreatingPlusAsSpace() {
        assertThat(new RestRoute(Endpoint.KICK, "a%20b+c%2Fd").decodedId()).isEqualTo("a b+c/d");
        assertThat(new RestRoute(Endpoint.KICK, "caf%C3%A9").decodedId()).isEqualTo("café");
        // the request line is ISO-8859-1 decoded by the transport: raw UTF-8 bytes arrive one char each
        assertThat(new RestRoute(Endpoint.KICK, "caf\u00c3\u00a9").decodedId()).isEqualTo("café");
    }

    @Test
    void brokenEscapesAndInvalidUtf8AreInvalidRequests() {
        for (String raw : new String[] {"%", "%2", "%zz", "%C3", "%FF"}) {
            assertThatThrownBy(() -> new RestRoute(Endpoint.KICK, raw).decodedId()).as(raw)
                    .isInstanceOf(RestProblem.class)
                    .satisfies(e -> assertThat(((RestProblem) e).error()).isEqualTo(RestError.INVALID_REQUEST));
        }
    }
}
