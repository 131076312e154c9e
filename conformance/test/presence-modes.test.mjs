// Presence that scales (docs/history.md): per-channel presence modes with the official SDK unchanged.
// `batched-*` gathers joins and leaves into one frame a second from 2 members on; `count-*` sends a member
// count instead of per-peer presence; `mods-*` sends presence to moderators only (lib/fixtures.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, chan, T } from '../lib/harness.mjs';
import { within, until, pingBarrier as barrier } from '../lib/client.mjs';
import { KEYS } from '../lib/fixtures.mjs';

const ctx = useServer();

/** The presence frames socket 0 of `entry` received on `ch`, as {joined, left, count} of peerIds. */
function presenceFrames(entry, ch) {
  return entry.wire.inbound('presence', 0).filter((f) => f.channel === ch).map((f) => ({
    joined: f.joined.map((p) => p.peerId),
    left: f.left.map((p) => p.peerId),
    ...(f.count !== undefined ? { count: f.count } : {}),
  }));
}

test('batched: joins within one interval reach each member as one frame; a join-and-leave is neither', T, async () => {
  const ch = chan('batched');
  const alice = await ctx.pool.jwt({ sub: 'bat-alice' });
  await alice.client.subscribe(ch);
  const bob = await ctx.pool.jwt({ sub: 'bat-bob' });
  await bob.client.subscribe(ch); // two members: the threshold; from here changes are batched
  await alice.rec.waitFor('presence', (p) => p.channel === ch && p.joined.some((j) => j.peerId === 'bat-bob'), { timeout: 3000 });
  const seen = presenceFrames(alice, ch).length;

  // The flicker's join starts the interval; the rest follow within milliseconds of it.
  const flicker = await ctx.pool.jwt({ sub: 'bat-flicker' });
  await flicker.client.subscribe(ch);
  await flicker.client.unsubscribe(ch);
  const joiners = [];
  for (const name of ['carol', 'dave', 'erin']) {
    const j = await ctx.pool.jwt({ sub: `bat-${name}` });
    await j.client.subscribe(ch);
    joiners.push(j);
  }
  await alice.rec.waitFor('presence', (p) => p.channel === ch && p.joined.some((j) => j.peerId === 'bat-erin'), { timeout: 3000 });
  await barrier(alice);
  assert.deepEqual(presenceFrames(alice, ch).slice(seen), [{ joined: ['bat-carol', 'bat-dave', 'bat-erin'], left: [] }]);

  // The newcomer's snapshot shows the roster as last announced; the batch brings the rest, without itself.
  const erin = joiners[2];
  await erin.rec.waitFor('presence', (p) => p.channel === ch && p.joined.some((j) => j.peerId === 'bat-carol'), { timeout: 3000 });
  const erinFrames = presenceFrames(erin, ch);
  assert.deepEqual(erinFrames[0], { joined: ['bat-alice', 'bat-bob'], left: [] });
  assert.deepEqual(erinFrames[1], { joined: ['bat-carol', 'bat-dave'], left: [] });
  assert.ok(presenceFrames(bob, ch).every((f) => !f.joined.includes('bat-flicker')));

  const since = alice.rec.mark();
  await within(joiners[0].client.close(), 3000, 'close');
  await alice.rec.waitFor('presence', (p) => p.channel === ch && p.left.some((l) => l.peerId === 'bat-carol'), { since, timeout: 3000 });
});

test('batched: MeteredPeer builds the same roster as in full mode', T, async () => {
  const ch = chan('batched');
  const peers = [];
  for (const name of ['a', 'b', 'c', 'd']) {
    const entry = ctx.pool.meteredPeer({ claims: { sub: `batmp-${name}` } });
    await within(entry.peer.join(ch), 10_000, `join ${name}`);
    peers.push(entry);
  }
  const names = peers.map((p) => p.peer.peerId);
  for (const entry of peers) {
    const others = names.filter((n) => n !== entry.peer.peerId);
    await Promise.all(others.map((id) => entry.rec.waitFor('peer-joined', (e) => e.peer.id === id, { timeout: 3000 })));
    assert.deepEqual(entry.peer.remotePeers.map((p) => p.id).sort(), others.sort());
  }
  await within(peers[3].peer.close(), 3000, 'close d');
  await peers[0].rec.waitFor('peer-left', (e) => e.peer.id === 'batmp-d', { timeout: 3000 });
  assert.deepEqual(peers[0].peer.remotePeers.map((p) => p.id).sort(), ['batmp-b', 'batmp-c']);
});

test('count: members get the member count, no per-peer presence; REST still lists everyone', T, async () => {
  const ch = chan('count');
  const alice = await ctx.pool.jwt({ sub: 'cnt-alice' });
  await alice.client.subscribe(ch);
  for (const name of ['bob', 'carol']) {
    const other = await ctx.pool.jwt({ sub: `cnt-${name}` });
    await other.client.subscribe(ch);
  }
  // The SDK's presence event drops the count: read it off the wire.
  await until(() => presenceFrames(alice, ch).some((f) => f.count === 3), 'a count of 3');
  await barrier(alice);
  const frames = presenceFrames(alice, ch);
  assert.deepEqual(frames[0], { joined: [], left: [], count: 1 }, 'the snapshot is the count');
  assert.ok(frames.every((f) => f.joined.length === 0 && f.left.length === 0 && typeof f.count === 'number'));
  const res = await fetch(`${ctx.server.httpUrl}/v1/channels/${ch}/peers`, {
    headers: { authorization: `Bearer ${KEYS.sk.kid}:${KEYS.sk.secret}` },
  });
  assert.deepEqual((await res.json()).peers.map((p) => p.peerId).sort(), ['cnt-alice', 'cnt-bob', 'cnt-carol']);
});

test('audience: only moderators get presence frames; the others are still members', T, async () => {
  const ch = chan('mods');
  const mod = await ctx.pool.jwt({ sub: 'aud-mod', peerMetadata: { role: 'moderator' } });
  await mod.client.subscribe(ch);
  const viewer = await ctx.pool.jwt({ sub: 'aud-viewer', peerMetadata: { role: 'viewer' } });
  await viewer.client.subscribe(ch);
  await mod.rec.waitFor('presence', (p) => p.channel === ch && p.joined.some((j) => j.peerId === 'aud-viewer'));
  const other = await ctx.pool.jwt({ sub: 'aud-other' });
  await other.client.subscribe(ch);
  await mod.rec.waitFor('presence', (p) => p.channel === ch && p.joined.some((j) => j.peerId === 'aud-other'));
  await barrier(viewer);
  assert.deepEqual(presenceFrames(viewer, ch), [], 'no snapshot, no deltas for a viewer');
});
