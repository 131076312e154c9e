package dev.switchboard.bench;

import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.FrameDecoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link FrameDecoder#decode} of whole inbound frames: publishes whose {@code data} is 50 B, 1 KiB and 16 KiB
 * (kept as a byte slice, but Jackson still walks every byte of it), a subscribe, and a malformed frame (the error
 * path: Jackson throws, the decoder answers {@code malformed_message}). Besides ops/s, the {@code bytes}
 * secondary result is the input rate in bytes/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class FrameDecodeBenchmark {

    /** Frame kinds: {@code publish-<data bytes>}, {@code subscribe}, {@code malformed}. */
    @Param({"publish-50", "publish-1024", "publish-16384", "subscribe", "malformed"})
    public String frame;

    byte[] bytes;

    @Setup
    public void setUp() {
        bytes = frame(frame);
    }

    /** The frame bytes of a {@link #frame} kind; shared with the setup test. */
    public static byte[] frame(String kind) {
        return switch (kind) {
            case "subscribe" -> Payloads.bytes("{\"type\":\"subscribe\",\"channel\":\"room-42\","
                    + "\"includeSenderMetadata\":true,\"requestId\":\"r-17\"}");
            // cut inside the data value, as a truncated or buggy client would send it
            case "malformed" -> Payloads.bytes(
                    "{\"type\":\"publish\",\"channel\":\"room-42\",\"requestId\":\"r-17\",\"data\":{\"text\":\"hel");
            default -> Payloads.publishFrame("room-42", Integer.parseInt(kind.substring("publish-".length())),
                    "r-17");
        };
    }

    /** Counts input bytes; JMH reports it per second next to ops/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Benchmark
    public ClientFrame decode(Bytes counter) {
        counter.bytes += bytes.length;
        return FrameDecoder.decode(bytes, 0, bytes.length);
    }
}
