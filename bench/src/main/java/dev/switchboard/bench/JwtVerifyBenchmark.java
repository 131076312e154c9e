package dev.switchboard.bench;

import dev.switchboard.core.auth.Admission;
import dev.switchboard.core.auth.TokenVerifier;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link TokenVerifier#verify}, paid once per JWT connection at admission (and the ceiling of a reconnect storm):
 * a typical token ({@code sub}, {@code iat}, {@code exp}, two channel grants, ~200 B {@code peerMetadata}), and
 * the same token with one signature character changed, which must be refused with 4001.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class JwtVerifyBenchmark {

    @Param({"valid", "bad-signature"})
    public String token;

    TokenVerifier verifier;
    String jwt;
    long now;

    @Setup
    public void setUp() {
        verifier = new TokenVerifier(new BenchNode().keyring);
        jwt = token(token);
        now = System.currentTimeMillis();
    }

    /** The compact JWS of a {@link #token} kind. */
    public static String token(String kind) {
        String valid = BenchNode.token("user-1234", List.of("room-*", "user.1234/**"), null,
                BenchNode.PEER_METADATA);
        return switch (kind) {
            case "valid" -> valid;
            case "bad-signature" -> {
                int i = valid.lastIndexOf('.') + 10; // inside the signature, not its last (partly padding) char
                char c = valid.charAt(i) == 'A' ? 'B' : 'A';
                yield valid.substring(0, i) + c + valid.substring(i + 1);
            }
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @Benchmark
    public Admission verify() {
        return verifier.verify(jwt, now);
    }
}
