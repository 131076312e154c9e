package dev.switchboard.core;

import dev.switchboard.protocol.ServerFrames.PresencePeer;
import dev.switchboard.protocol.RawJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The members of one presence room, reference-counted per peerId (protocol.md §7.3): a peer joins when its
 * first connection subscribes and leaves when its last one goes. Guarded by the owning {@link Room}'s lock.
 * Iteration order is join order, which the REST peer listing uses.
 */
final class Presence {
    private final Map<String, Member> members = new LinkedHashMap<>();

    /** Counts one more connection of {@code peerId}; returns the entry to announce if the peer just joined. */
    PresencePeer join(String peerId, RawJson metadata) {
        Member member = members.get(peerId);
        if (member != null) {
            member.connections++;
            return null;
        }
        member = new Member(new PresencePeer(peerId, metadata));
        members.put(peerId, member);
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
        return member.entry;
    }

    /** Every member except {@code self}, with the metadata of the connection that created the membership. */
    List<PresencePeer> snapshotExcept(String self) {
        List<PresencePeer> peers = new ArrayList<>(members.size());
        for (Member member : members.values()) {
            if (!member.entry.peerId().equals(self)) {
                peers.add(member.entry);
            }
        }
        return peers;
    }

    int size() {
        return members.size();
    }

    private static final class Member {
        final PresencePeer entry;
        int connections = 1;

        Member(PresencePeer entry) {
            this.entry = entry;
        }
    }
}
