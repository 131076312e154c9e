// Direct messages: send → direct (protocol.md §4.4, §5.4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, T } from '../lib/harness.mjs';
import { KEYS } from '../lib/fixtures.mjs';
import { rejection, sleep } from '../lib/client.mjs';

const ctx = useServer();

test('send delivers a direct frame with from, data and the sender peerMetadata as fromMetadata', T, async () => {
  const alice = await ctx.pool.jwt({ sub: 'dm-alice', peerMetadata: { username: 'Alice' } });
  const bob = await ctx.pool.pk();
  await alice.client.send(bob.peerId, { x: 1, nested: [null, 'y'] });
  const d = await bob.rec.waitFor('direct', (e) => e.from === 'dm-alice');
  assert.deepEqual(d.data, { x: 1, nested: [null, 'y'] });
  assert.deepEqual(d.fromMetadata, { username: 'Alice' });
  const raw = bob.wire.inbound('direct')[0];
  assert.ok(!('channel' in raw), 'direct frames carry no channel');
});

test('send does not require sharing a channel and delivers null data', T, async () => {
  const a = await ctx.pool.pk();
  const b = await ctx.pool.jwt({ sub: 'dm-null' });
  await a.client.send('dm-null', null);
  const d = await b.rec.waitFor('direct', (e) => e.from === a.peerId);
  assert.equal(d.data, null);
  const raw = b.wire.inbound('direct')[0];
  assert.ok('data' in raw && raw.data === null);
  assert.ok(!('fromMetadata' in raw), 'a sender without peerMetadata yields no fromMetadata');
});

test('send reaches every connection of the target peer', T, async () => {
  const sender = await ctx.pool.pk();
  const tab1 = await ctx.pool.jwt({ sub: 'dm-multi' });
  const tab2 = await ctx.pool.jwt({ sub: 'dm-multi' });
  await sender.client.send('dm-multi', 'both');
  await tab1.rec.waitFor('direct', (e) => e.data === 'both');
  await tab2.rec.waitFor('direct', (e) => e.data === 'both');
});

test('send to a peer that is not online rejects with peer_not_found', T, async () => {
  const c = await ctx.pool.pk();
  const err = await rejection(c.client.send('nobody-home', { x: 1 }), 5000, 'send to nobody');
  assert.equal(err.name, 'peer_not_found');
  // The connection stays open and usable.
  assert.equal(c.client.state, 'connected');
  await c.client.subscribe('dm-still-alive');
});

test('send to a peer of another app rejects with peer_not_found', T, async () => {
  const foreign = await ctx.pool.pk(KEYS.pkOther);
  const c = await ctx.pool.pk();
  const err = await rejection(c.client.send(foreign.peerId, 'hi'), 5000, 'cross-app send');
  assert.equal(err.name, 'peer_not_found');
  await sleep(200);
  assert.equal(foreign.rec.all('direct').length, 0);
});

test('send to your own peerId with no other connection rejects with peer_not_found', T, async () => {
  const c = await ctx.pool.jwt({ sub: 'dm-lonely' });
  const err = await rejection(c.client.send('dm-lonely', 'me'), 5000, 'self send');
  assert.equal(err.name, 'peer_not_found');
  assert.equal(c.rec.all('direct').length, 0);
});

test('send to your own peerId reaches your other connection but not the sender', T, async () => {
  const tab1 = await ctx.pool.jwt({ sub: 'dm-self2' });
  const tab2 = await ctx.pool.jwt({ sub: 'dm-self2' });
  await tab1.client.send('dm-self2', 'hello-other-tab');
  await tab2.rec.waitFor('direct', (e) => e.data === 'hello-other-tab');
  await sleep(300);
  assert.equal(tab1.rec.all('direct').length, 0);
});
