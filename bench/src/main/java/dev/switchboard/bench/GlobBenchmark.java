package dev.switchboard.bench;

import dev.switchboard.protocol.Glob;
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
 * {@link Glob#matches} of a compiled pattern, the check behind every grant and pattern subscription on a publish.
 * Each case pairs a pattern with a channel it matches: the literal and the {@code prefix*} / {@code prefix/**}
 * shapes take the table-free fast paths; {@code devices/*}{@code /events} runs the dynamic programme; the
 * pathological {@code *a*a*a*a*b} runs it over a 256-byte channel (255 × {@code a} then {@code b}), the worst
 * input a hostile pattern can pair with a maximal channel name.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class GlobBenchmark {

    @Param({"literal", "prefix-star", "prefix-doublestar", "middle-star", "pathological-256"})
    public String shape;

    Glob glob;
    String channel;

    @Setup
    public void setUp() {
        String[] c = patternAndChannel(shape);
        glob = Glob.compile(c[0]);
        channel = c[1];
    }

    /** {pattern, channel} of a {@link #shape}; every pair matches. */
    public static String[] patternAndChannel(String shape) {
        return switch (shape) {
            case "literal" -> new String[] {"room-42", "room-42"};
            case "prefix-star" -> new String[] {"room-*", "room-42"};
            case "prefix-doublestar" -> new String[] {"app_abc/**", "app_abc/chat/room-42"};
            case "middle-star" -> new String[] {"devices/*/events", "devices/thermostat-17/events"};
            case "pathological-256" -> new String[] {"*a*a*a*a*b", "a".repeat(255) + "b"};
            default -> throw new IllegalArgumentException(shape);
        };
    }

    @Benchmark
    public boolean matches() {
        return glob.matches(channel);
    }
}
