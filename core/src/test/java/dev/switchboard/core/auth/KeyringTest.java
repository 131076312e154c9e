package dev.switchboard.core.auth;

import static dev.switchboard.core.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Key registry (auth.md §1), key lookups (§2, §3) and the REST credential (§7). */
class KeyringTest {

    private final Keyring keyring = keyring();

    // ---- lookups

    @Test
    void publishableLookupReturnsOnlyEnabledPublishableKeys() {
        assertThat(keyring.publishable(PK_ID)).hasValueSatisfying(k -> {
            assertThat(k.config()).isEqualTo(PK);
            assertThat(k.app()).isEqualTo(APP);
            assertThat(k.grants().allows("room-1")).isTrue();
        });
        assertThat(keyring.publishable(PK_DISABLED_ID)).isEmpty();
        assertThat(keyring.publishable(SK_ID)).isEmpty();
        assertThat(keyring.publishable("pk_live_unknown")).isEmpty();
        assertThat(keyring.publishable(null)).isEmpty();
    }

    @Test
    void secretLookupReturnsOnlyEnabledSecretKeys() {
        assertThat(keyring.secret(SK_ID)).hasValueSatisfying(k -> assertThat(k.config()).isEqualTo(SK));
        assertThat(keyring.secret(SK_OTHER_APP_ID)).hasValueSatisfying(k -> assertThat(k.app()).isEqualTo(OTHER_APP));
        assertThat(keyring.secret(SK_DISABLED_ID)).isEmpty();
        assertThat(keyring.secret(PK_ID)).isEmpty();
        assertThat(keyring.secret(SK_SECRET)).isEmpty();
        assertThat(keyring.secret(null)).isEmpty();
    }

    @Test
    void appsAreListedInOrderAndFoundById() {
        assertThat(keyring.apps()).containsExactly(APP, OTHER_APP);
        assertThat(keyring.app("app_other")).contains(OTHER_APP);
        assertThat(keyring.app("app_nope")).isEmpty();
        assertThat(keyring.app(null)).isEmpty();
    }

    @Test
    void duplicateAppIdIsRejected() {
        assertThatThrownBy(() -> new Keyring(List.of(APP, new AppConfig("app_abc", false, null, List.of()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate app id")
                .hasMessageContaining("app_abc");
    }

    @Test
    void duplicateKeyIdAcrossAppsIsRejectedWhateverTheType() {
        KeyConfig clash = new KeyConfig(KeyType.PUBLISHABLE, SK_ID, null, List.of("**"), ALL, List.of(), true);
        assertThatThrownBy(() -> new Keyring(List.of(APP, new AppConfig("app_x", false, null, List.of(clash)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate key id " + SK_ID)
                .hasMessageContaining("app_x")
                .hasMessageContaining("app_abc");
    }

    @Test
    void duplicateKeyIdWithinOneAppIsRejected() {
        assertThatThrownBy(() -> new Keyring(List.of(new AppConfig("app_x", false, null, List.of(PK, PK)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate key id");
    }

    @Test
    void emptyKeyringFindsNothing() {
        Keyring empty = new Keyring(List.of());
        assertThat(empty.apps()).isEmpty();
        assertThat(empty.publishable(PK_ID)).isEmpty();
        assertThat(empty.authenticateRest("Bearer " + SK_ID + ":" + SK_SECRET)).isEmpty();
    }

    // ---- REST credential (auth.md §7)

    @Test
    void restBearerWithSecretKeyIdAndSecretAuthenticatesThatKey() {
        assertThat(keyring.authenticateRest("Bearer " + SK_ID + ":" + SK_SECRET))
                .hasValueSatisfying(k -> {
                    assertThat(k.config()).isEqualTo(SK);
                    assertThat(k.app()).isEqualTo(APP);
                });
    }

    @Test
    void restBearerSchemeIsCaseInsensitive() {
        assertThat(keyring.authenticateRest("bearer " + SK_ID + ":" + SK_SECRET)).isPresent();
    }

    @Test
    void restMissingHeaderOrOtherSchemeIsUnauthorized() {
        assertThat(keyring.authenticateRest(null)).isEmpty();
        assertThat(keyring.authenticateRest("")).isEmpty();
        assertThat(keyring.authenticateRest("Basic " + SK_ID + ":" + SK_SECRET)).isEmpty();
        assertThat(keyring.authenticateRest(SK_ID + ":" + SK_SECRET)).isEmpty();
        assertThat(keyring.authenticateRest("Bearer")).isEmpty();
        assertThat(keyring.authenticateRest("Bearer ")).isEmpty();
    }

    @Test
    void restValueWithoutColonIsUnauthorized() {
        assertThat(keyring.authenticateRest("Bearer " + SK_ID)).isEmpty();
        assertThat(keyring.authenticateRest("Bearer " + SK_SECRET)).isEmpty();
        assertThat(keyring.authenticateRest("Bearer " + PK_ID)).isEmpty();
        assertThat(keyring.authenticateRest("Bearer " + token(payload("")))).isEmpty();
    }

    @Test
    void restWrongSecretIsUnauthorized() {
        assertThat(keyring.authenticateRest("Bearer " + SK_ID + ":" + SK_SECRET + "x")).isEmpty();
        assertThat(keyring.authenticateRest("Bearer " + SK_ID + ":" + SK_SECRET.substring(1))).isEmpty();
        assertThat(keyring.authenticateRest("Bearer " + SK_ID + ":")).isEmpty();
        assertThat(keyring.authenticateRest("Bearer " + SK_ID + ":" + SK_OTHER_APP.secret())).isEmpty();
    }

    @Test
    void restDisabledOrPublishableOrUnknownKeyIsUnauthorized() {
        assertThat(keyring.authenticateRest("Bearer " + SK_DISABLED_ID + ":" + SK_DISABLED.secret())).isEmpty();
        assertThat(keyring.authenticateRest("Bearer " + PK_ID + ":" + PK_ID)).isEmpty();
        assertThat(keyring.authenticateRest("Bearer " + PK_ID + ":")).isEmpty();
        assertThat(keyring.authenticateRest("Bearer sk_id_unknown:" + SK_SECRET)).isEmpty();
        assertThat(keyring.authenticateRest("Bearer :" + SK_SECRET)).isEmpty();
    }

    @Test
    void restCredentialIsSplitAtTheFirstColon() {
        KeyConfig colon = new KeyConfig(KeyType.SECRET, "sk_id_colon", "sk_secret_with:colon:inside_0123456789",
                List.of("**"), ALL, List.of(), true);
        Keyring k = new Keyring(List.of(new AppConfig("app_c", false, null, List.of(colon))));
        assertThat(k.authenticateRest("Bearer sk_id_colon:sk_secret_with:colon:inside_0123456789")).isPresent();
        assertThat(k.authenticateRest("Bearer sk_id_colon:sk_secret_with")).isEmpty();
    }

    // ---- configuration values

    @Test
    void keyConfigMakesImmutableDefensiveCopies() {
        List<String> patterns = new ArrayList<>(List.of("a/*"));
        Set<Action> actions = EnumSet.of(Action.PUBLISH);
        List<String> origins = new ArrayList<>(List.of("https://a.example"));
        KeyConfig k = new KeyConfig(KeyType.PUBLISHABLE, "pk_live_x", null, patterns, actions, origins, true);
        patterns.add("b/*");
        actions.add(Action.SEND);
        origins.clear();
        assertThat(k.channelPatterns()).containsExactly("a/*");
        assertThat(k.actions()).containsExactly(Action.PUBLISH);
        assertThat(k.allowedOrigins()).containsExactly("https://a.example");
        assertThatThrownBy(() -> k.actions().add(Action.SEND)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> k.channelPatterns().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void keyConfigAcceptsEmptyOrNullCollections() {
        KeyConfig k = new KeyConfig(KeyType.PUBLISHABLE, "pk_live_x", null, null, new HashSet<>(), null, true);
        assertThat(k.actions()).isEmpty();
        assertThat(k.channelPatterns()).isEmpty();
        assertThat(k.allowedOrigins()).isEmpty();
    }

    @Test
    void keyConfigNeverPrintsItsSecret() {
        assertThat(SK.toString()).doesNotContain(SK_SECRET).contains(SK_ID);
        assertThat(APP.toString()).doesNotContain(SK_SECRET);
    }

    @Test
    void secretKeyWithoutSecretIsRejected() {
        assertThatThrownBy(() -> new KeyConfig(KeyType.SECRET, "sk_id_x", null, List.of(), ALL, List.of(), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sk_id_x");
    }

    @Test
    void appConfigDefaultsToUnlimited() {
        assertThat(new AppConfig("a", false, null, null).limits()).isEqualTo(AppLimits.UNLIMITED);
        assertThat(AppLimits.UNLIMITED.maxConcurrentConnections()).isNull();
        assertThat(AppLimits.UNLIMITED.maxMessagesPerPeriod()).isNull();
    }

    @Test
    void actionsHaveLowerCaseWireNames() {
        for (Action a : Action.values()) {
            assertThat(a.wire()).isEqualTo(a.name().toLowerCase(java.util.Locale.ROOT));
            assertThat(Action.fromWire(a.wire())).contains(a);
        }
        assertThat(Action.fromWire("PUBLISH")).isEmpty();
        assertThat(Action.fromWire("admin")).isEmpty();
        assertThat(Action.fromWire(null)).isEmpty();
    }
}
