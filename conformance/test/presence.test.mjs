// Presence snapshots and deltas (protocol.md §4.1, §7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, T, chan } from '../lib/harness.mjs';
import { sleep } from '../lib/client.mjs';

const ctx = useServer();
const QUIET_MS = 500;

const ids = (peers) => peers.map((p) => p.peerId).sort();

test('subscribing to an empty channel yields an empty presence snapshot after the ack', T, async () => {
  const ch = chan('empty');
  const c = await ctx.pool.pk();
  await c.client.subscribe(ch);
  const snap = await c.rec.waitFor('presence', (e) => e.channel === ch);
  assert.deepEqual(snap.joined, []);
  assert.deepEqual(snap.left, []);
  // Wire order: ack for the subscribe first, snapshot second.
  const sub = c.wire.outbound('subscribe').find((f) => f.channel === ch);
  const ackIdx = c.wire.frames.findIndex((f) => f.dir === 'in' && f.frame?.type === 'ack' && f.frame.requestId === sub.requestId);
  const snapIdx = c.wire.frames.findIndex((f) => f.dir === 'in' && f.frame?.type === 'presence' && f.frame.channel === ch);
  assert.ok(ackIdx >= 0, 'subscribe must be acked');
  assert.ok(ackIdx < snapIdx, `ack (frame #${ackIdx}) must precede the snapshot (frame #${snapIdx})`);
});

test('the snapshot lists existing members with their peerMetadata and never the subscriber itself', T, async () => {
  const ch = chan('snap');
  const alice = await ctx.pool.jwt({ sub: 'pres-alice', peerMetadata: { username: 'Alice' } });
  const anon = await ctx.pool.pk();
  await alice.client.subscribe(ch);
  await anon.client.subscribe(ch);
  const me = await ctx.pool.jwt({ sub: 'pres-me', peerMetadata: { username: 'Me' } });
  await me.client.subscribe(ch);
  const snap = await me.rec.waitFor('presence', (e) => e.channel === ch);
  assert.deepEqual(ids(snap.joined), ids([{ peerId: 'pres-alice' }, { peerId: anon.peerId }]));
  assert.deepEqual(snap.left, []);
  const a = snap.joined.find((p) => p.peerId === 'pres-alice');
  assert.deepEqual(a.metadata, { username: 'Alice' });
  const rawSnap = me.wire.inbound('presence').find((f) => f.channel === ch);
  const rawAnon = rawSnap.joined.find((p) => p.peerId === anon.peerId);
  assert.ok(!('metadata' in rawAnon), 'publishable-key peers carry no metadata');
});

test('a repeated subscribe of the same channel gets a fresh snapshot', T, async () => {
  const ch = chan('resub');
  const other = await ctx.pool.pk();
  await other.client.subscribe(ch);
  const c = await ctx.pool.pk();
  await c.client.subscribe(ch);
  await c.rec.waitFor('presence', (e) => e.channel === ch);
  const mark = c.rec.mark();
  await c.client.subscribe(ch);
  const again = await c.rec.waitFor('presence', (e) => e.channel === ch, { since: mark });
  assert.deepEqual(ids(again.joined), [other.peerId]);
  await sleep(200);
  assert.equal(other.rec.all('presence', (e) => e.channel === ch && e.joined.length > 0).length, 1,
    'a repeated subscribe must not re-broadcast joined');
});

test('joined and left deltas carry the peer metadata', T, async () => {
  const ch = chan('delta');
  const obs = await ctx.pool.pk();
  await obs.client.subscribe(ch);
  await obs.rec.waitFor('presence', (e) => e.channel === ch);
  const bob = await ctx.pool.jwt({ sub: 'pres-bob', peerMetadata: { username: 'Bob', role: 'host' } });
  await bob.client.subscribe(ch);
  const j = await obs.rec.waitFor('presence', (e) => e.channel === ch && e.joined.some((p) => p.peerId === 'pres-bob'));
  assert.deepEqual(j.joined, [{ peerId: 'pres-bob', metadata: { username: 'Bob', role: 'host' } }]);
  assert.deepEqual(j.left, []);
  await bob.client.unsubscribe(ch);
  const l = await obs.rec.waitFor('presence', (e) => e.channel === ch && e.left.some((p) => p.peerId === 'pres-bob'));
  assert.deepEqual(l.left, [{ peerId: 'pres-bob', metadata: { username: 'Bob', role: 'host' } }]);
  assert.deepEqual(l.joined, []);
});

test('closing the socket produces a left delta', T, async () => {
  const ch = chan('close');
  const obs = await ctx.pool.pk();
  await obs.client.subscribe(ch);
  const carol = await ctx.pool.jwt({ sub: 'pres-carol', peerMetadata: { username: 'Carol' } });
  await carol.client.subscribe(ch);
  await obs.rec.waitFor('presence', (e) => e.channel === ch && e.joined.some((p) => p.peerId === 'pres-carol'));
  await carol.client.close();
  const l = await obs.rec.waitFor('presence', (e) => e.channel === ch && e.left.some((p) => p.peerId === 'pres-carol'));
  assert.deepEqual(l.left, [{ peerId: 'pres-carol', metadata: { username: 'Carol' } }]);
});

test('two tabs of the same peer produce one joined, and one left only when the last one closes', T, async () => {
  const ch = chan('twotabs');
  const obs = await ctx.pool.pk();
  await obs.client.subscribe(ch);
  await obs.rec.waitFor('presence', (e) => e.channel === ch);
  const meta = { username: 'Dana' };
  const tab1 = await ctx.pool.jwt({ sub: 'pres-dana', peerMetadata: meta });
  const tab2 = await ctx.pool.jwt({ sub: 'pres-dana', peerMetadata: meta });
  const isDana = (p) => p.peerId === 'pres-dana';

  await tab1.client.subscribe(ch);
  await obs.rec.waitFor('presence', (e) => e.channel === ch && e.joined.some(isDana));
  await tab2.client.subscribe(ch);
  // tab2's own snapshot lists the observer but never its own peerId.
  const snap2 = await tab2.rec.waitFor('presence', (e) => e.channel === ch);
  assert.deepEqual(ids(snap2.joined), [obs.peerId]);
  await sleep(QUIET_MS);
  assert.equal(obs.rec.all('presence', (e) => e.channel === ch && e.joined.some(isDana)).length, 1, 'exactly one joined for two tabs');

  await tab1.client.close();
  await sleep(QUIET_MS);
  assert.equal(obs.rec.all('presence', (e) => e.channel === ch && e.left.some(isDana)).length, 0, 'no left while a tab is still subscribed');

  await tab2.client.close();
  const l = await obs.rec.waitFor('presence', (e) => e.channel === ch && e.left.some(isDana));
  assert.deepEqual(l.left, [{ peerId: 'pres-dana', metadata: meta }]);
  await sleep(QUIET_MS);
  assert.equal(obs.rec.all('presence', (e) => e.channel === ch && e.left.some(isDana)).length, 1, 'exactly one left');
});

test('a subscriber never receives presence deltas about itself', T, async () => {
  const ch = chan('self');
  const c = await ctx.pool.jwt({ sub: 'pres-self' });
  await c.client.subscribe(ch);
  await c.rec.waitFor('presence', (e) => e.channel === ch);
  const other = await ctx.pool.pk();
  await other.client.subscribe(ch);
  await c.rec.waitFor('presence', (e) => e.channel === ch && e.joined.some((p) => p.peerId === other.peerId));
  await sleep(200);
  const aboutSelf = c.rec.all('presence', (e) => [...e.joined, ...e.left].some((p) => p.peerId === 'pres-self'));
  assert.deepEqual(aboutSelf, []);
});

test('a newcomer\'s joined delta reaches existing members before anything the newcomer sends after its subscribe ack', T, async () => {
  const ch = chan('order');
  const member = await ctx.pool.jwt({ sub: 'pres-member' });
  await member.client.subscribe(ch);
  const newcomer = await ctx.pool.jwt({ sub: 'pres-newcomer', peerMetadata: { username: 'New' } });
  await newcomer.client.subscribe(ch);
  await newcomer.client.send('pres-member', { type: 'rtc-description', description: { type: 'offer', sdp: 'v=0' } });
  await newcomer.client.publish(ch, 'first words');
  await member.rec.waitFor('direct', (e) => e.from === 'pres-newcomer');
  await member.rec.waitFor('message', (e) => e.channel === ch);
  const types = member.wire.frames
    .filter((f) => f.dir === 'in' && f.frame && ['presence', 'direct', 'message'].includes(f.frame.type))
    .filter((f) => f.frame.type !== 'presence' || f.frame.joined.some((p) => p.peerId === 'pres-newcomer'))
    .map((f) => f.frame.type);
  assert.deepEqual(types, ['presence', 'direct', 'message']);
});
