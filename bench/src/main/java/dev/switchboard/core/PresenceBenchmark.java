package dev.switchboard.core;

import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames;
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
 * One join into a big room, as in a join storm: the newcomer joins, gets its snapshot, and leaves again so the
 * room stays at {@code members}, each with {@code metadataBytes} of peerMetadata (the 4 KiB cap by default). The
 * package-private {@link Presence} lives in core's package, on the classpath only.
 *
 * <p>{@code chunkedSnapshot} is the server's path: the snapshot is the room's cached chunk frames plus one chunk
 * encoded for the newcomer, so its cost does not grow with the room. {@code fullEncoding} encodes the whole
 * member list for every newcomer, which the server did before: its cost grows with the room, so a storm of
 * {@code n} joins costs {@code n²}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class PresenceBenchmark {
    @Param({"1000", "10000"})
    int members;

    @Param({"4096"})
    int metadataBytes;

    private Presence presence;
    private RawJson metadata;
    private int next;

    @Setup
    public void fill() {
        presence = new Presence("room-big");
        metadata = RawJson.of("{\"bio\":\"" + "x".repeat(Math.max(0, metadataBytes - 10)) + "\"}");
        for (int i = 0; i < members; i++) {
            presence.join("member-" + i, metadata);
        }
        presence.snapshotFor(null); // warm the chunk caches, as the first subscriber would
    }

    @Benchmark
    public Presence.Snapshot chunkedSnapshot() {
        String id = "newcomer-" + (next++ & 1023);
        presence.join(id, metadata);
        Presence.Snapshot snapshot = presence.snapshotFor(id);
        presence.leave(id);
        return snapshot;
    }

    @Benchmark
    public byte[] fullEncoding() {
        String id = "newcomer-" + (next++ & 1023);
        presence.join(id, metadata);
        byte[] snapshot = ServerFrames.presence("room-big", presence.snapshotExcept(id), List.of());
        presence.leave(id);
        return snapshot;
    }
}
