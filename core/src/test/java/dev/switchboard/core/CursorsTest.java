package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.Streams.Cursor;
import org.junit.jupiter.api.Test;

/** Where dropped connections stood, at the edges: a full list per peer and channel, and the app's cap. */
class CursorsTest {
    private static final long NOW = 1_000_000;
    private static final long LATER = NOW + 60_000;

    @Test
    void aFullListKeepsTheOldestPositionsAndClaimsThemOldestFirst() {
        Cursors cursors = new Cursors();
        for (int offset = 10; offset < 10 + Cursors.PER_PEER_CHANNEL; offset++) {
            cursors.put("alice", "room", new Cursor(offset, "e", LATER));
        }
        cursors.put("alice", "room", new Cursor(30, "e", LATER)); // further on than every kept one: not kept
        cursors.put("alice", "room", new Cursor(5, "e", LATER)); // replaces the furthest on, 17
        cursors.put("alice", "room", new Cursor(40, "lost", LATER)); // another epoch: nothing to replace
        for (long expected : new long[] {5, 10, 11, 12, 13, 14, 15, 16}) {
            assertThat(cursors.claim("alice", "room", "e", NOW).offset()).isEqualTo(expected);
        }
        assertThat(cursors.claim("alice", "room", "e", NOW)).isNull();
        assertThat(cursors.size()).as("the key went with its last cursor").isZero();
    }

    @Test
    void pastTheAppsCapNoNewPeerIsKeptButKeptOnesStillChange() {
        Cursors cursors = new Cursors();
        for (int i = 0; i < Cursors.PER_APP; i++) {
            cursors.put("peer-" + i, "room", new Cursor(1, "e", LATER));
        }
        cursors.put("newcomer", "room", new Cursor(1, "e", LATER));
        assertThat(cursors.claim("newcomer", "room", "e", NOW)).isNull();
        cursors.put("peer-0", "room", new Cursor(7, "e", LATER)); // a second tab of a kept peer
        assertThat(cursors.claim("peer-0", "room", "e", NOW).offset()).isEqualTo(1);
        assertThat(cursors.claim("peer-0", "room", "e", NOW).offset()).isEqualTo(7);
        cursors.sweep(LATER); // all expire
        assertThat(cursors.size()).isZero();
        cursors.put("newcomer", "room", new Cursor(1, "e", LATER + 60_000));
        assertThat(cursors.claim("newcomer", "room", "e", LATER).offset()).isEqualTo(1);
    }
}
