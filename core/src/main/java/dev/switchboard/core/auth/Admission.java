package dev.switchboard.core.auth;

import dev.switchboard.protocol.CloseCode;
import java.util.Objects;

/**
 * The outcome of authenticating a WebSocket connection (protocol.md §2.2 checks 1–5): either an {@link Identity},
 * or the close code and reason to close the upgraded socket with (no {@code welcome} is sent).
 */
public sealed interface Admission permits Admission.Admitted, Admission.Refused {

    /** The credential is valid; app suspension (4012) and the connection cap (4010) are still to be checked. */
    record Admitted(Identity identity) implements Admission {
        public Admitted {
            Objects.requireNonNull(identity, "identity");
        }
    }

    /**
     * The connection must be closed.
     *
     * @param code   4001 or 4002 from {@link Authenticator}
     * @param reason short close reason (≤ 123 bytes), never containing credential material
     */
    record Refused(CloseCode code, String reason) implements Admission {
        public Refused {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
