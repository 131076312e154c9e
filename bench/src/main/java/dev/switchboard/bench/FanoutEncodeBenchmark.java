package dev.switchboard.bench;

import dev.switchboard.core.Session;
import dev.switchboard.core.auth.Action;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames;
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
 * The outbound side of a publish. {@code encode*}: one {@link ServerFrames#message} per call, the work a fan-out
 * does once per variant. {@code fanout}: the whole in-memory path of one inbound publish frame through a real
 * {@link dev.switchboard.core.Node} — decode, authorize, hub lookup, encode once per variant (every other
 * subscriber asked for {@code fromMetadata}, so both variants are built), enqueue into each subscriber's outbox
 * and drain it into a counting transport whose I/O thread is the caller.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FanoutEncodeBenchmark {

    /** Inputs of one {@code message} encode. */
    @State(Scope.Benchmark)
    public static class Encode {
        @Param({"50", "1024", "16384"})
        public int dataBytes;

        public final String channel = "room-42";
        public final String from = "user-1234";
        public RawJson data;
        public final RawJson fromMetadata = RawJson.of(BenchNode.PEER_METADATA);

        @Setup
        public void setUp() {
            data = RawJson.of(Payloads.data(dataBytes));
        }
    }

    /**
     * A node with one publisher and {@link #subscribers} sessions on {@code room-42}; one per benchmark thread,
     * because a session's inbound side is single-threaded by contract.
     */
    @State(Scope.Thread)
    public static class Room {
        @Param({"100", "1000"})
        public int subscribers;

        public BenchNode bench;
        public Session publisher;
        public CountingTransport[] inboxes;
        public byte[] publishFrame;

        @Setup
        public void setUp() {
            bench = new BenchNode();
            inboxes = new CountingTransport[subscribers];
            for (int i = 0; i < subscribers; i++) {
                inboxes[i] = new CountingTransport();
                Session s = bench.open("sub-" + i, Action.SUBSCRIBE, null, inboxes[i]);
                s.onText(Payloads.bytes("{\"type\":\"subscribe\",\"channel\":\"room-42\",\"includeSenderMetadata\":"
                        + (i % 2 == 1) + "}"));
            }
            publisher = bench.open("pub-1", Action.PUBLISH, BenchNode.PEER_METADATA, new CountingTransport());
            publishFrame = Payloads.publishFrame("room-42", 1024, null); // no requestId: no ack
        }

        /** Frames written to all subscribers so far. */
        public long delivered() {
            long n = 0;
            for (CountingTransport t : inboxes) {
                n += t.frames;
            }
            return n;
        }
    }

    @Benchmark
    public byte[] encodePlain(Encode in) {
        return ServerFrames.message(in.channel, in.from, in.data, null);
    }

    @Benchmark
    public byte[] encodeWithMetadata(Encode in) {
        return ServerFrames.message(in.channel, in.from, in.data, in.fromMetadata);
    }

    /** One publish of 1 KiB to every subscriber; ops/s × subscribers = deliveries/s. */
    @Benchmark
    public void fanout(Room room) {
        room.publisher.onText(room.publishFrame);
    }
}
