package dev.switchboard.core;

import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames;
import dev.switchboard.protocol.ServerFrames.PresencePeer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The members of one presence room, reference-counted per peerId (protocol.md §7.3): a peer joins when its
 * first connection subscribes and leaves when its last one goes. Guarded by the owning {@link Room}'s lock.
 * Iteration order is join order, which the REST peer listing uses.
 *
 * <p>Snapshots of big rooms. Members are kept in join order in <em>chunks</em> of at most {@link #FRAME_BYTES}
 * encoded bytes, and each chunk caches its encoded presence frame until it changes. A snapshot is the chunks'
 * frames, shared by every subscriber of the same room version; only the chunk holding the subscriber's own entry
 * is encoded afresh without it. So a room whose member list is larger than the official SDK's 1 MiB inbound cap
 * goes out as several presence frames (protocol.md §7.4 allows it; a room under the cap is always one frame),
 * and a join costs the encoding of at most one chunk, not of the whole room: a join storm into a room of
 * 10,000 members re-encodes only the last chunk per join. Adjacent chunks that fit in one frame together are
 * merged when a member leaves, so splitting stays as rare as the room's size allows.
 */
final class Presence {
    /**
     * Largest presence frame: under the SDK's {@code MAX_INBOUND_FRAME_BYTES} of 1,048,576 UTF-16 units, which a
     * UTF-8 frame of this many bytes can never exceed.
     */
    static final int FRAME_BYTES = 1_000_000;

    private final String channel;
    private final int frameBytes;
    private final Map<String, Member> members = new HashMap<>();
    private final ArrayList<Chunk> chunks = new ArrayList<>();

    Presence(String channel) {
        this(channel, FRAME_BYTES);
    }

    /** With another frame limit (tests). */
    Presence(String channel, int frameBytes) {
        this.channel = channel;
        this.frameBytes = frameBytes - ServerFrames.presenceEnvelopeBytes(channel);
    }

    /** Counts one more connection of {@code peerId}; returns the entry to announce if the peer just joined. */
    PresencePeer join(String peerId, RawJson metadata) {
        Member member = members.get(peerId);
        if (member != null) {
            member.connections++;
            return null;
        }
        member = new Member(new PresencePeer(peerId, metadata));
        members.put(peerId, member);
        Chunk last = chunks.isEmpty() ? null : chunks.getLast();
        if (last == null || (last.bytes + member.bytes > frameBytes && !last.members.isEmpty())) {
            last = new Chunk();
            chunks.add(last);
        }
        last.add(member);
        return member.entry;
    }

    /** Counts one connection of {@code peerId} less; returns the entry to announce if the peer just left. */
    PresencePeer leave(String peerId) {
        Member member = members.get(peerId);
        if (member == null) {
            return null;
        }
        if (--member.connections > 0) {
            return null;
        }
        members.remove(peerId);
        Chunk chunk = member.chunk;
        chunk.remove(member);
        int index = chunks.indexOf(chunk);
        if (chunk.members.isEmpty()) {
            chunks.remove(index);
        } else {
            mergeNeighbours(index);
        }
        return member.entry;
    }

    /** Merges the chunk at {@code index} with its next, then its previous neighbour, while they fit one frame. */
    private void mergeNeighbours(int index) {
        if (index + 1 < chunks.size() && chunks.get(index).bytes + chunks.get(index + 1).bytes <= frameBytes) {
            chunks.get(index).absorb(chunks.remove(index + 1));
        }
        if (index > 0 && chunks.get(index - 1).bytes + chunks.get(index).bytes <= frameBytes) {
            chunks.get(index - 1).absorb(chunks.remove(index));
        }
    }

    /**
     * A snapshot's frames, and how many of their bytes were encoded for this one subscriber (the rest are the
     * room's cached chunk frames, shared).
     */
    record Snapshot(byte[][] frames, long ownBytes) {
    }

    /**
     * The snapshot for a subscriber that is {@code self} (protocol.md §7.4): every member but {@code self}, as one
     * presence frame or, for a room over {@link #FRAME_BYTES}, several; always at least one, empty when alone.
     */
    Snapshot snapshotFor(String self) {
        Member own = self == null ? null : members.get(self);
        List<byte[]> frames = new ArrayList<>(chunks.size());
        long ownBytes = 0;
        for (Chunk chunk : chunks) {
            if (own != null && own.chunk == chunk) {
                if (chunk.members.size() > 1) {
                    byte[] frame = chunk.frameWithout(own);
                    frames.add(frame);
                    ownBytes += frame.length;
                }
            } else {
                frames.add(chunk.frame());
            }
        }
        if (frames.isEmpty()) {
            byte[] empty = ServerFrames.presence(channel, List.of(), List.of());
            frames.add(empty);
            ownBytes += empty.length;
        }
        return new Snapshot(frames.toArray(byte[][]::new), ownBytes);
    }

    /** Every member except {@code self} (null: all), with the metadata of the connection that created it. */
    List<PresencePeer> snapshotExcept(String self) {
        List<PresencePeer> peers = new ArrayList<>(members.size());
        for (Chunk chunk : chunks) {
            for (Member member : chunk.members) {
                if (!member.entry.peerId().equals(self)) {
                    peers.add(member.entry);
                }
            }
        }
        return peers;
    }

    int size() {
        return members.size();
    }

    /** How many frames a full snapshot takes now (tests). */
    int chunkCount() {
        return chunks.size();
    }

    private static final class Member {
        final PresencePeer entry;
        final int bytes;
        int connections = 1;
        Chunk chunk;

        Member(PresencePeer entry) {
            this.entry = entry;
            this.bytes = ServerFrames.presenceEntryBytes(entry);
        }
    }

    /** Members in join order whose entries fit one frame, and that frame once encoded. */
    private final class Chunk {
        final ArrayList<Member> members = new ArrayList<>();
        int bytes;
        /** The encoded frame of all members; null until asked for after a change. */
        byte[] frame;

        void add(Member member) {
            members.add(member);
            member.chunk = this;
            bytes += member.bytes;
            frame = null;
        }

        void remove(Member member) {
            members.remove(member);
            bytes -= member.bytes;
            frame = null;
        }

        void absorb(Chunk next) {
            for (Member member : next.members) {
                add(member);
            }
        }

        byte[] frame() {
            if (frame == null) {
                frame = ServerFrames.presence(channel, entries(null), List.of());
            }
            return frame;
        }

        byte[] frameWithout(Member own) {
            return ServerFrames.presence(channel, entries(own), List.of());
        }

        private List<PresencePeer> entries(Member except) {
            List<PresencePeer> entries = new ArrayList<>(members.size());
            for (Member member : members) {
                if (member != except) {
                    entries.add(member.entry);
                }
            }
            return entries;
        }
    }
}
