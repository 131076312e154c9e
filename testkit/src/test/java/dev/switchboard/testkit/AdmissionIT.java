package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.awaitility.Awaitility;
import java.time.Duration;

/** protocol.md §2 and auth.md §2–§3: admission checks, their order and their close codes. */
class AdmissionIT extends ServerTestBase {

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private String rawToken(String header, String payload) {
        return TestServer.signRaw(SK_ALL_SECRET, header, payload);
    }

    private static String header() {
        return "{\"alg\":\"HS256\",\"kid\":\"" + SK_ALL + "\",\"typ\":\"JWT\"}";
    }

    // ---------------------------------------------------------------- check 1: credential presence

    @Test
    void connectingWithoutCredentialClosesWith4001BeforeAnyWelcome() {
        expectRefused(connect(""), 4001);
    }

    @Test
    void connectingWithBothTokenAndKeyClosesWith4001() {
        expectRefused(connect(keyQuery(PK_ALL) + "&" + tokenQuery(server.token(sub("both")))), 4001);
    }

    @Test
    void emptyKeyValueClosesWith4001() {
        expectRefused(connect("key="), 4001);
    }

    @Test
    void emptyTokenValueClosesWith4001() {
        expectRefused(connect("token="), 4001);
    }

    @Test
    void otherQueryParametersAreIgnored() {
        WsProbe probe = connect("foo=bar&" + keyQuery(PK_ALL) + "&v=1.2.0");
        probe.awaitWelcome();
    }

    @Test
    void keyQueryValueIsPercentDecoded() {
        StringBuilder encoded = new StringBuilder();
        for (byte b : PK_ALL.getBytes(StandardCharsets.US_ASCII)) {
            encoded.append('%').append(String.format("%02X", b));
        }
        connect("key=" + encoded).awaitWelcome();
    }

    @Test
    void tokenQueryValueIsPercentDecoded() {
        String token = server.token(sub("enc"));
        String encoded = token.replace(".", "%2E").replace("-", "%2D");
        connect("token=" + encoded).awaitWelcome();
    }

    // ---------------------------------------------------------------- check 2: publishable key

    @Test
    void unknownKeyClosesWith4001() {
        expectRefused(connect(keyQuery("pk_live_doesnotexist")), 4001);
    }

    @Test
    void secretKeyIdPassedAsKeyClosesWith4001() {
        expectRefused(connect(keyQuery(SK_ALL)), 4001);
    }

    @Test
    void signingSecretPassedAsKeyClosesWith4001() {
        expectRefused(connect(keyQuery(SK_ALL_SECRET)), 4001);
    }

    @Test
    void jwtPassedAsKeyClosesWith4001() {
        expectRefused(connect("key=" + URLEncoder.encode(server.token(sub("k")), StandardCharsets.UTF_8)), 4001);
    }

    @Test
    void disabledPublishableKeyClosesWith4001() {
        expectRefused(connect(keyQuery(PK_DISABLED)), 4001);
    }

    // ---------------------------------------------------------------- check 3: origin

    @Test
    void allowedOriginIsAdmitted() {
        connect(keyQuery(PK_ORIGIN), Map.of("Origin", ALLOWED_ORIGIN)).awaitWelcome();
    }

    @Test
    void originOutsideAllowedOriginsClosesWith4001() {
        expectRefused(connect(keyQuery(PK_ORIGIN), Map.of("Origin", "https://evil.example.com")), 4001);
    }

    @Test
    void originWithAnotherPortClosesWith4001() {
        expectRefused(connect(keyQuery(PK_ORIGIN), Map.of("Origin", ALLOWED_ORIGIN + ":8443")), 4001);
    }

    @Test
    void originSchemeAndHostCompareCaseInsensitively() {
        connect(keyQuery(PK_ORIGIN), Map.of("Origin", "HTTPS://APP.Example.COM")).awaitWelcome();
    }

    @Test
    void missingOriginHeaderIsAdmittedEvenWithAllowedOrigins() {
        connect(keyQuery(PK_ORIGIN)).awaitWelcome();
    }

    @Test
    void keyWithoutAllowedOriginsAdmitsAnyOrigin() {
        connect(keyQuery(PK_ALL), Map.of("Origin", "https://anything.example.org")).awaitWelcome();
    }

    @Test
    void unknownKeyWinsOverOriginCheck() {
        expectRefused(connect(keyQuery("pk_live_nope"), Map.of("Origin", "https://evil.example.com")), 4001);
    }

    // ---------------------------------------------------------------- check 4: token validation

    @Test
    void garbageTokenClosesWith4001() {
        expectRefused(connect("token=not-a-jwt"), 4001);
    }

    @Test
    void tokenWithWrongSignatureClosesWith4001() {
        String token = signRaw("sk_secret_wrong_0123456789abcdef0123456789abcdef", header(),
                "{\"sub\":\"x\",\"exp\":" + (now() + 600) + "}");
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    @Test
    void tokenWithTamperedPayloadClosesWith4001() {
        String token = server.token("alice");
        String[] parts = token.split("\\.");
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"mallory\",\"exp\":" + (now() + 600) + "}").getBytes(StandardCharsets.UTF_8));
        expectRefused(connect(tokenQuery(parts[0] + "." + forged + "." + parts[2])), 4001);
    }

    @Test
    void tokenWithAlgNoneClosesWith4001() {
        String b64h = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"alg\":\"none\",\"kid\":\"" + SK_ALL + "\"}").getBytes(StandardCharsets.UTF_8));
        String b64p = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"x\",\"exp\":" + (now() + 600) + "}").getBytes(StandardCharsets.UTF_8));
        expectRefused(connect(tokenQuery(b64h + "." + b64p + ".")), 4001);
    }

    @Test
    void tokenWithAlgHs512ClosesWith4001() {
        String token = signRaw(SK_ALL_SECRET, "{\"alg\":\"HS512\",\"kid\":\"" + SK_ALL + "\"}",
                "{\"sub\":\"x\",\"exp\":" + (now() + 600) + "}");
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    @Test
    void tokenWithoutKidClosesWith4001() {
        String token = signRaw(SK_ALL_SECRET, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                "{\"sub\":\"x\",\"exp\":" + (now() + 600) + "}");
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    @Test
    void tokenWhoseKidIsAPublishableKeyClosesWith4001() {
        String token = signRaw(SK_ALL_SECRET, "{\"alg\":\"HS256\",\"kid\":\"" + PK_ALL + "\"}",
                "{\"sub\":\"x\",\"exp\":" + (now() + 600) + "}");
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    @Test
    void tokenSignedByDisabledSecretKeyClosesWith4001() {
        expectRefused(connect(server.tokenFor(sub("dis")).key(SK_DISABLED).query()), 4001);
    }

    @Test
    void tokenWithoutExpClosesWith4001() {
        expectRefused(connect(tokenQuery(rawToken(header(), "{\"sub\":\"noexp\"}"))), 4001);
    }

    @Test
    void tokenWithNonNumericExpClosesWith4001() {
        expectRefused(connect(tokenQuery(rawToken(header(), "{\"sub\":\"x\",\"exp\":\"soon\"}"))), 4001);
    }

    @Test
    void tokenWithNbfMoreThanSixtySecondsAheadClosesWith4001() {
        expectRefused(connect(tokenQuery(rawToken(header(),
                "{\"sub\":\"x\",\"exp\":" + (now() + 3600) + ",\"nbf\":" + (now() + 120) + "}"))), 4001);
    }

    @Test
    void tokenWithNbfWithinSixtySecondsLeewayIsAdmitted() {
        connect(tokenQuery(rawToken(header(),
                "{\"sub\":\"" + sub("nbf") + "\",\"exp\":" + (now() + 3600) + ",\"nbf\":" + (now() + 30) + "}")))
                .awaitWelcome();
    }

    @Test
    void unknownClaimsAreIgnored() {
        connect(tokenQuery(rawToken(header(), "{\"sub\":\"" + sub("u") + "\",\"exp\":" + (now() + 3600)
                + ",\"iss\":\"your-backend\",\"aud\":[1],\"jti\":7,\"whatever\":{}}"))).awaitWelcome();
    }

    @Test
    void subOf128CharactersIsAdmittedAnd129ClosesWith4001() {
        String s127 = "s".repeat(127);
        String s128 = "s".repeat(128);
        assertThat(connectWithSub(s127).awaitWelcome().path("peerId").asString()).isEqualTo(s127);
        assertThat(connectWithSub(s128).awaitWelcome().path("peerId").asString()).isEqualTo(s128);
        expectRefused(connectWithSub("s".repeat(129)), 4001);
    }

    @Test
    void emptySubClosesWith4001() {
        expectRefused(connectWithSub(""), 4001);
    }

    @Test
    void missingSubClosesWith4001() {
        expectRefused(connect(tokenQuery(rawToken(header(), "{\"exp\":" + (now() + 600) + "}"))), 4001);
    }

    @Test
    void subWithControlOrNonAsciiCharacterClosesWith4001() {
        expectRefused(connectWithSub("bad\u0001sub"), 4001);
        expectRefused(connectWithSub("zoë"), 4001);
    }

    @Test
    void subWithSpaceIsPrintableAsciiAndAdmitted() {
        connectWithSub("alice smith " + sub("sp")).awaitWelcome();
    }

    private WsProbe connectWithSub(String sub) {
        return connect(server.tokenFor(sub).query());
    }

    @Test
    void peerMetadataOf4096BytesIsAdmittedAnd4097ClosesWith4001() {
        connect(server.tokenFor(sub("pm")).peerMetadata(jsonObjectOfSize(4095)).query()).awaitWelcome();
        connect(server.tokenFor(sub("pm")).peerMetadata(jsonObjectOfSize(4096)).query()).awaitWelcome();
        expectRefused(connect(server.tokenFor(sub("pm")).peerMetadata(jsonObjectOfSize(4097)).query()), 4001);
    }

    @Test
    void peerMetadataThatIsNotAnObjectClosesWith4001() {
        expectRefused(connect(server.tokenFor(sub("pm")).peerMetadata("[1,2]").query()), 4001);
        expectRefused(connect(server.tokenFor(sub("pm")).peerMetadata("\"alice\"").query()), 4001);
    }

    @Test
    void metadataOf8192BytesIsAdmittedAnd8193ClosesWith4001() {
        connect(server.tokenFor(sub("md")).metadata(jsonObjectOfSize(8191)).query()).awaitWelcome();
        connect(server.tokenFor(sub("md")).metadata(jsonObjectOfSize(8192)).query()).awaitWelcome();
        expectRefused(connect(server.tokenFor(sub("md")).metadata(jsonObjectOfSize(8193)).query()), 4001);
    }

    @Test
    void metadataThatIsNotAnObjectClosesWith4001() {
        expectRefused(connect(server.tokenFor(sub("md")).metadata("42").query()), 4001);
    }

    @Test
    void channelsClaimOf100EntriesIsAdmittedAnd101ClosesWith4001() {
        connect(server.tokenFor(sub("ch")).channels(names(99)).query()).awaitWelcome();
        connect(server.tokenFor(sub("ch")).channels(names(100)).query()).awaitWelcome();
        expectRefused(connect(server.tokenFor(sub("ch")).channels(names(101)).query()), 4001);
    }

    @Test
    void channelsClaimWithInvalidEntryClosesWith4001() {
        expectRefused(connect(server.tokenFor(sub("ch")).channels("ok", "").query()), 4001);
        expectRefused(connect(server.tokenFor(sub("ch")).channels("x".repeat(257)).query()), 4001);
        expectRefused(connect(server.tokenFor(sub("ch")).channels("bad\u0007").query()), 4001);
        expectRefused(connect(tokenQuery(rawToken(header(),
                "{\"sub\":\"x\",\"exp\":" + (now() + 600) + ",\"channels\":\"room-1\"}"))), 4001);
        expectRefused(connect(tokenQuery(rawToken(header(),
                "{\"sub\":\"x\",\"exp\":" + (now() + 600) + ",\"channels\":[1]}"))), 4001);
    }

    @Test
    void channelsClaimEntryOf256BytesIsAdmitted() {
        connect(server.tokenFor(sub("ch")).channels("x".repeat(256)).query()).awaitWelcome();
    }

    @Test
    void permissionsClaimOf16EntriesIsAdmittedAnd17ClosesWith4001() {
        connect(server.tokenFor(sub("pe")).permissions(perms(15)).query()).awaitWelcome();
        connect(server.tokenFor(sub("pe")).permissions(perms(16)).query()).awaitWelcome();
        expectRefused(connect(server.tokenFor(sub("pe")).permissions(perms(17)).query()), 4001);
    }

    @Test
    void permissionsClaimThatIsNotAnArrayOfStringsClosesWith4001() {
        expectRefused(connect(tokenQuery(rawToken(header(),
                "{\"sub\":\"x\",\"exp\":" + (now() + 600) + ",\"permissions\":\"publish\"}"))), 4001);
    }

    // ---------------------------------------------------------------- check 5: expiry

    @Test
    void expiredTokenClosesWith4002() {
        expectRefused(connect(server.tokenFor(sub("exp")).expiresAt(now() - 10).query()), 4002);
    }

    @Test
    void invalidSignatureWinsOverExpiry() {
        String token = signRaw("sk_secret_wrong_0123456789abcdef0123456789abcdef", header(),
                "{\"sub\":\"x\",\"exp\":" + (now() - 10) + "}");
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    // ---------------------------------------------------------------- check 6: suspension

    @Test
    void publishableKeyOfSuspendedAppClosesWith4012() {
        expectRefused(connect(keyQuery(PK_SUSPENDED)), 4012);
    }

    @Test
    void tokenOfSuspendedAppClosesWith4012() {
        expectRefused(connect(server.tokenFor(sub("susp")).key(SK_SUSPENDED).query()), 4012);
    }

    @Test
    void invalidTokenOfSuspendedAppClosesWith4001NotWith4012() {
        String token = signRaw("sk_secret_wrong_0123456789abcdef0123456789abcdef",
                "{\"alg\":\"HS256\",\"kid\":\"" + SK_SUSPENDED + "\"}", "{\"sub\":\"x\",\"exp\":" + (now() + 600) + "}");
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    @Test
    void expiredTokenOfSuspendedAppClosesWith4002NotWith4012() {
        expectRefused(connect(server.tokenFor(sub("susp")).key(SK_SUSPENDED).expiresAt(now() - 5).query()), 4002);
    }

    // ---------------------------------------------------------------- check 7: concurrent cap

    @Test
    void appAtItsConcurrentConnectionCapClosesWith4010AndClosingFreesTheSlot() {
        WsProbe first = pk(PK_CAPPED);
        expectRefused(connect(keyQuery(PK_CAPPED)), 4010);
        first.close();
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(this::cappedAppAdmitsAgain);
    }

    private boolean cappedAppAdmitsAgain() {
        WsProbe probe = connect(keyQuery(PK_CAPPED));
        WsProbe.Event first = probe.nextEvent(WsProbe.DEFAULT_TIMEOUT);
        if (first.kind() == WsProbe.Event.Kind.CLOSE) {
            assertThat(first.code()).isEqualTo(4010);
            return false;
        }
        assertThat(first.text()).contains("\"welcome\"");
        return true;
    }

    @Test
    void refusedConnectionsSendNothingButTheClose() {
        WsProbe probe = connect(keyQuery("pk_live_unknown"));
        probe.expectClose(4001);
        assertThat(probe.history()).hasSize(1);
    }

    // ---------------------------------------------------------------- helpers

    /** A compact JSON object of exactly {@code bytes} UTF-8 bytes: {"k":"xxx…"}. */
    static String jsonObjectOfSize(int bytes) {
        return "{\"k\":\"" + "x".repeat(bytes - 8) + "\"}";
    }

    private static List<String> names(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("c" + i);
        }
        return names;
    }

    private static List<String> perms(int n) {
        List<String> base = List.of("subscribe", "publish", "presence", "send");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(base.get(i % 4));
        }
        return out;
    }
}
