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
 * frames, shared by every subscriber of the same room version; the chunk holding the subscriber's own entry goes
 * to it as that same frame with the entry cut out ({@link Outbox.Cut}), so a snapshot costs a subscriber no
 * encoding and no copy of its own. So a room whose member list is larger than the official SDK's 1 MiB inbound cap
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
    record Snapshot(Object[] frames, long ownBytes) {
    }

    /**
     * The snapshot for a subscriber that is {@code self} (protocol.md §7.4): every member but {@code self}, as one
     * presence frame or, for a room over {@link #FRAME_BYTES}, several; always at least one, empty when alone.
     */
    Snapshot snapshotFor(String self) {
        Member own = self == null ? null : members.get(self);
        List<Object> frames = new ArrayList<>(chunks.size());
        long ownBytes = 0;
        for (Chunk chunk : chunks) {
            if (own != null && own.chunk == chunk) {
                if (chunk.members.size() > 1) {
                    frames.add(chunk.frameWithout(own));
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
        return new Snapshot(frames.toArray(), ownBytes);
    }

    /**
     * {@code frame}, a presence frame of {@code channel} whose {@code joined} lists {@code joined}, without entry
     * {@code index} (and one comma next to it).
     */
    static Outbox.Cut cut(byte[] frame, String channel, List<PresencePeer> joined, int index) {
        int start = ServerFrames.presenceJoinedStart(channel);
        for (int i = 0; i < index; i++) {
            start += ServerFrames.presenceEntryBytes(joined.get(i)); // the entry and the comma after it
        }
        return cutAt(frame, start, ServerFrames.presenceEntryBytes(joined.get(index)) - 1, index, joined.size());
    }

    /** Entry {@code index} of {@code count}, at {@code start} and {@code length} bytes long, cut with its comma. */
    private static Outbox.Cut cutAt(byte[] frame, int start, int length, int index, int count) {
        if (count == 1) {
            return new Outbox.Cut(frame, start, start + length);
        }
        return index == 0 ? new Outbox.Cut(frame, start, start + length + 1)
                : new Outbox.Cut(frame, start - 1, start + length);
    }

    /** One frame of a batch of deltas, and the joins it lists. */
    static final class Delta {
        final byte[] frame;
        private final String channel;
        private final List<PresencePeer> joined;
        /** peerId → its index in {@link #joined}; built when first needed. */
        private Map<String, Integer> index;

        Delta(byte[] frame, String channel, List<PresencePeer> joined) {
            this.frame = frame;
            this.channel = channel;
            this.joined = joined;
        }

        /**
         * This frame as {@code peerId} gets it: the frame itself if it does not list the peer as joined, else the
         * frame without that entry, or null if nothing would be left of it.
         */
        Object frameFor(String peerId) {
            if (index == null) {
                index = new HashMap<>(joined.size() * 2);
                for (int i = 0; i < joined.size(); i++) {
                    index.put(joined.get(i).peerId(), i);
                }
            }
            Integer own = index.get(peerId);
            if (own == null) {
                return frame;
            }
            Outbox.Cut cut = cut(frame, channel, joined, own);
            return cut.length() == ServerFrames.presenceEnvelopeBytes(channel) ? null : cut;
        }
    }

    /**
     * A batch of deltas as presence frames of at most {@link #FRAME_BYTES} each: usually one; a batch of thousands
     * of joins with large metadata is split (the joins first, then the leaves, each in order).
     */
    static List<Delta> deltaFrames(String channel, List<PresencePeer> joined, List<PresencePeer> left) {
        int room = FRAME_BYTES - ServerFrames.presenceEnvelopeBytes(channel);
        List<Delta> frames = new ArrayList<>(1);
        List<PresencePeer> frameJoined = new ArrayList<>();
        List<PresencePeer> frameLeft = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < joined.size() + left.size(); i++) {
            boolean join = i < joined.size();
            PresencePeer peer = join ? joined.get(i) : left.get(i - joined.size());
            int size = ServerFrames.presenceEntryBytes(peer);
            if (bytes + size > room && bytes > 0) {
                frames.add(new Delta(ServerFrames.presence(channel, frameJoined, frameLeft), channel, frameJoined));
                frameJoined = new ArrayList<>();
                frameLeft = new ArrayList<>();
                bytes = 0;
            }
            (join ? frameJoined : frameLeft).add(peer);
            bytes += size;
        }
        if (bytes > 0) {
            frames.add(new Delta(ServerFrames.presence(channel, frameJoined, frameLeft), channel, frameJoined));
        }
        return frames;
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
                frame = ServerFrames.presence(channel, entries(), List.of());
            }
            return frame;
        }

        Outbox.Cut frameWithout(Member own) {
            int start = ServerFrames.presenceJoinedStart(channel);
            int index = 0;
            for (Member member : members) {
                if (member == own) {
                    break;
                }
                start += member.bytes;
                index++;
            }
            return cutAt(frame(), start, own.bytes - 1, index, members.size());
        }

        private List<PresencePeer> entries() {
            List<PresencePeer> entries = new ArrayList<>(members.size());
            for (Member member : members) {
                entries.add(member.entry);
            }
            return entries;
        }
    }
}
