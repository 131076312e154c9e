// History and gapless resume with the official SDK unchanged (docs/history.md). The SDK resubscribes by
// itself after a reconnect; the server recognises the peerId, finds where the dropped connection stood and
// delivers what it missed before live traffic. Channels `hist-*`, `short-*` and `replay-*` have history in the
// conformance config (lib/fixtures.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, chan, T } from '../lib/harness.mjs';
import { within, until, pingBarrier } from '../lib/client.mjs';
import { KEYS } from '../lib/fixtures.mjs';
import { CLUSTER } from '../lib/server.mjs';

const ctx = useServer();
const opts = T;
const FAST_RECONNECT = { reconnect: { initialDelayMs: 50, jitterRatio: 0, multiplier: 1 } };

/** A JWT client of peer `sub` that reconnects after 50 ms. */
function reader(sub) {
  return ctx.pool.jwt({ sub }, FAST_RECONNECT);
}

/**
 * A reader whose network can be cut: while `entry.online` is false its socket factory throws, as a connect
 * without a network fails, and the SDK tries again 50 ms later.
 */
async function offlineable(sub) {
  let entry = null;
  entry = ctx.pool.build({ claims: { sub } }, {
    ...FAST_RECONNECT,
    webSocketFactory: (url) => {
      if (!entry.online) throw new Error('network down');
      return entry.wire.factory(url);
    },
  });
  entry.online = true;
  await within(entry.client.connect(), 12_000, 'connect');
  await entry.rec.waitFor('connected');
  return entry;
}

/** The `seq` of every message event on `ch`, in arrival order. */
function seqs(entry, ch) {
  return entry.rec.all('message', (m) => m.channel === ch).map((m) => m.data.seq);
}

/**
 * Waits until the server knows that socket `i` of `entry` emitted every message it has emitted so far: the
 * server writes a WebSocket ping after the messages it sends, ws answers it once it has emitted them, and a
 * protocol ping sent after that pong is answered after the server has read the pong.
 */
async function confirmed(entry, i = entry.wire.sockets.length - 1) {
  const frames = entry.wire.frames;
  const lastMessage = frames.findLastIndex((f) => f.socket === i && f.frame?.type === 'message');
  await until(() => frames.findLastIndex((f) => f.socket === i && f.ping) > lastMessage, 'a ping after the messages');
  await pingBarrier(entry, i);
}

test('acceptance: a reader whose TCP connection is killed gets all 50 messages once, in order, on reconnect', opts, async () => {
  const ch = chan('hist');
  const alice = await reader('hist-alice');
  const bob = await ctx.pool.jwt({ sub: 'hist-bob' });
  await alice.client.subscribe(ch);
  await bob.client.publish(ch, { seq: 0 });
  await alice.rec.waitFor('message', (m) => m.channel === ch && m.data.seq === 0);
  await confirmed(alice);

  const since = alice.rec.mark();
  alice.wire.sockets[0].terminate(); // the network drops: no close frame; the SDK reconnects by itself
  for (let seq = 1; seq <= 50; seq++) await bob.client.publish(ch, { seq });
  await alice.rec.waitFor('connected', (c) => c.isReconnect, { since, timeout: 10_000 });
  await alice.rec.waitFor('message', (m) => m.channel === ch && m.data.seq === 50, { timeout: 10_000 });
  for (let seq = 51; seq <= 55; seq++) await bob.client.publish(ch, { seq });
  await alice.rec.waitFor('message', (m) => m.channel === ch && m.data.seq === 55);

  assert.deepEqual(seqs(alice, ch), Array.from({ length: 56 }, (_, i) => i), 'every message once, in order');
  const ack = alice.wire.inbound('ack', 1).find((a) => a.recovered !== undefined);
  assert.equal(ack?.recovered, true, 'the resubscribe ack reports a complete recovery');
});

test('a reader dropped while a publisher keeps sending misses nothing; only unconfirmed frames may repeat', opts, async (t) => {
  const ch = chan('hist');
  const alice = await reader('hist-carol');
  const bob = await ctx.pool.jwt({ sub: 'hist-dave' });
  await alice.client.subscribe(ch);
  const TOTAL = 300;
  let sent = 0;
  const publishing = (async () => { // ~125 a second: within the connection's rate limit and its burst
    while (sent < TOTAL) {
      await bob.client.publish(ch, { seq: ++sent });
      await new Promise((r) => setTimeout(r, 8));
    }
  })();
  await alice.rec.waitFor('message', (m) => m.channel === ch && m.data.seq >= 100, { timeout: 10_000 });
  const before = seqs(alice, ch).length;
  alice.wire.sockets[0].terminate();
  await publishing;
  await alice.rec.waitFor('message', (m) => m.channel === ch && m.data.seq === TOTAL, { timeout: 15_000 });

  const got = seqs(alice, ch);
  assert.deepEqual([...new Set(got)], Array.from({ length: TOTAL }, (_, i) => i + 1), 'no gap, in order');
  // A repeat may only be a message the old connection emitted after the second-to-last ping it answered
  // (the last pong may not have reached the server before the drop).
  const old = alice.wire.frames.filter((f) => f.socket === 0 && (f.ping || f.frame?.type === 'message'));
  const pings = old.flatMap((f, index) => (f.ping ? [old.slice(0, index).filter((g) => !g.ping).length] : []));
  const safe = pings.length >= 2 ? pings[pings.length - 2] : 0;
  const repeats = got.length - TOTAL;
  t.diagnostic(`${repeats} repeated of ${before - safe} unconfirmed at the drop`);
  assert.ok(repeats <= before - safe, `${repeats} repeats, but only ${before - safe} messages were unconfirmed`);
});

test('two tabs of one peer resume independently', opts, async () => {
  const ch = chan('hist');
  const tab1 = await reader('hist-erin');
  const tab2 = await reader('hist-erin');
  const bob = await ctx.pool.jwt({ sub: 'hist-frank' });
  await tab1.client.subscribe(ch);
  await tab2.client.subscribe(ch);
  await bob.client.publish(ch, { seq: 1 });
  for (const tab of [tab1, tab2]) await tab.rec.waitFor('message', (m) => m.data.seq === 1);
  await confirmed(tab1);
  await confirmed(tab2);

  const since = tab1.rec.mark();
  tab1.wire.sockets[0].terminate();
  await bob.client.publish(ch, { seq: 2 });
  await tab1.rec.waitFor('message', (m) => m.data.seq === 2, { since, timeout: 10_000 });
  await tab2.rec.waitFor('message', (m) => m.data.seq === 2);
  await confirmed(tab2);
  tab2.wire.sockets[0].terminate();
  await bob.client.publish(ch, { seq: 3 });
  await tab2.rec.waitFor('message', (m) => m.data.seq === 3, { timeout: 10_000 });
  await tab1.rec.waitFor('message', (m) => m.data.seq === 3);
  await bob.client.publish(ch, { seq: 4 });
  for (const tab of [tab1, tab2]) await tab.rec.waitFor('message', (m) => m.data.seq === 4);
  assert.deepEqual(seqs(tab1, ch), [1, 2, 3, 4]);
  assert.deepEqual(seqs(tab2, ch), [1, 2, 3, 4]);
});

test('beyond the window: the reader gets what is kept and the ack says the recovery is incomplete', opts, async () => {
  const ch = chan('short'); // keeps 10 messages
  const alice = await offlineable('hist-gina');
  const bob = await ctx.pool.jwt({ sub: 'hist-hank' });
  await alice.client.subscribe(ch);
  await bob.client.publish(ch, { seq: 0 });
  await alice.rec.waitFor('message', (m) => m.data.seq === 0);
  await confirmed(alice);

  alice.online = false; // reconnect attempts fail until the 30 messages are out
  alice.wire.sockets[0].terminate();
  for (let seq = 1; seq <= 30; seq++) await bob.client.publish(ch, { seq });
  alice.online = true;
  await alice.rec.waitFor('message', (m) => m.data.seq === 30, { timeout: 10_000 });
  assert.deepEqual(seqs(alice, ch), [0, ...Array.from({ length: 10 }, (_, i) => 21 + i)], 'the 10 kept, in order');
  const ack = alice.wire.inbound('ack', 1).find((a) => a.recovered !== undefined);
  assert.equal(ack?.recovered, false);
  assert.equal(ack.offset, 31);
  assert.equal(typeof ack.epoch, 'string');
});

test('replayOnSubscribe gives a first-time subscriber the newest N, after the ack', opts, async () => {
  const ch = chan('replay'); // replayOnSubscribe: 5
  const bob = await ctx.pool.jwt({ sub: 'hist-ivan' });
  for (let seq = 1; seq <= 8; seq++) await bob.client.publish(ch, { seq });
  const late = await ctx.pool.jwt({ sub: 'hist-judy' });
  await late.client.subscribe(ch);
  await bob.client.publish(ch, { seq: 9 });
  await late.rec.waitFor('message', (m) => m.data.seq === 9);
  assert.deepEqual(seqs(late, ch), [4, 5, 6, 7, 8, 9]);
  const frames = late.wire.frames.filter((f) => f.dir === 'in' && ['ack', 'message'].includes(f.frame?.type));
  assert.equal(frames[0].frame.type, 'ack', 'the ack comes before the replay');
  assert.ok(frames.slice(1).every((f) => typeof f.frame.offset === 'number' && typeof f.frame.epoch === 'string'));
});

test('subscribe.since recovers from a given position (raw clients)', opts, async () => {
  const ch = chan('hist');
  const bob = await ctx.pool.jwt({ sub: 'hist-kate' });
  for (let seq = 1; seq <= 6; seq++) await bob.client.publish(ch, { seq });
  const raw = await ctx.pool.pk(KEYS.pk);
  const ws = raw.wire.sockets[0];
  ws.send(JSON.stringify({ type: 'subscribe', channel: ch, requestId: 'first' }));
  await until(() => raw.wire.inbound('ack').some((a) => a.requestId === 'first'), 'ack');
  const { epoch, offset } = raw.wire.inbound('ack').find((a) => a.requestId === 'first');
  assert.equal(offset, 6);
  ws.send(JSON.stringify({ type: 'subscribe', channel: ch, requestId: 'again', since: { offset: 3, epoch } }));
  await raw.rec.waitFor('message', (m) => m.data.seq === 6);
  assert.deepEqual(seqs(raw, ch), [4, 5, 6]);
  assert.equal(raw.wire.inbound('ack').find((a) => a.requestId === 'again').recovered, true);

  ws.send(JSON.stringify({ type: 'subscribe', channel: ch, requestId: 'other', since: { offset: 3, epoch: 'nope' } }));
  await until(() => raw.wire.inbound('ack').some((a) => a.requestId === 'other'), 'ack');
  assert.equal(raw.wire.inbound('ack').find((a) => a.requestId === 'other').recovered, false);
  ws.send(JSON.stringify({ type: 'subscribe', channel: ch, requestId: 'bad', since: { offset: -1, epoch } }));
  await until(() => raw.wire.inbound('error').some((e) => e.requestId === 'bad'), 'error');
  assert.equal(raw.wire.inbound('error').find((e) => e.requestId === 'bad').code, 'malformed_message');
});

test('REST history lists a channel newest-last, pages with since and limit', opts, async () => {
  const ch = chan('hist');
  const bob = await ctx.pool.jwt({ sub: 'hist-liam' });
  for (let seq = 1; seq <= 5; seq++) await bob.client.publish(ch, { seq });
  const auth = { authorization: `Bearer ${KEYS.sk.kid}:${KEYS.sk.secret}` };
  const get = async (query) => {
    const res = await fetch(`${ctx.server.httpUrl}/v1/channels/${ch}/history${query}`, { headers: auth });
    return { status: res.status, body: await res.json() };
  };
  const all = await get('');
  assert.equal(all.status, 200);
  assert.equal(all.body.offset, 5);
  assert.deepEqual(all.body.messages.map((m) => m.data.seq), [1, 2, 3, 4, 5]);
  assert.equal(all.body.messages[0].from, 'hist-liam');
  const page = await get(`?since=1&limit=2&epoch=${all.body.epoch}`);
  assert.deepEqual(page.body.messages.map((m) => m.offset), [2, 3]);
  assert.equal(page.body.hasMore, true);
  assert.equal(page.body.missed, false);
  assert.equal((await get('?limit=0')).status, 400);
  const none = await fetch(`${ctx.server.httpUrl}/v1/channels/${chan('plain')}/history`, { headers: auth });
  assert.equal(none.status, 404);
});

test('after a restart the stream has a new epoch: a resume from the old one is reported incomplete', { ...opts, timeout: 60_000 }, async () => {
  const ch = chan('hist');
  const reconnect = { reconnect: { initialDelayMs: 100, jitterRatio: 0, multiplier: 1, maxAttempts: 1000 } };
  const alice = await ctx.pool.jwt({ sub: 'hist-mia' }, reconnect);
  const bob = await ctx.pool.jwt({ sub: 'hist-noah' }, reconnect);
  await alice.client.subscribe(ch);
  for (let seq = 1; seq <= 3; seq++) await bob.client.publish(ch, { seq });
  await alice.rec.waitFor('message', (m) => m.data.seq === 3);
  const before = alice.wire.inbound('ack', 0).find((a) => a.epoch !== undefined);

  await ctx.server.stop();
  if (CLUSTER) ctx.server.loseStore(); // Redis restarted without persistence (a node restart alone keeps it)
  await ctx.server.restartOnSamePort(); // the memory engine keeps nothing: every stream starts again
  await alice.rec.waitFor('connected', (c) => c.isReconnect, { timeout: 20_000 });
  await bob.rec.waitFor('connected', (c) => c.isReconnect, { timeout: 20_000 });
  const sockets = alice.wire.sockets.length - 1;
  await until(() => alice.wire.inbound('ack', sockets).some((a) => a.epoch !== undefined), 'the resubscribe ack', 10_000);
  const after = alice.wire.inbound('ack', sockets).find((a) => a.epoch !== undefined);
  assert.notEqual(after.epoch, before.epoch, 'a new epoch');
  assert.equal(after.offset, 0);

  const raw = alice.wire.sockets[sockets];
  raw.send(JSON.stringify({ type: 'subscribe', channel: ch, requestId: 'old', since: { offset: 3, epoch: before.epoch } }));
  await until(() => alice.wire.inbound('ack', sockets).some((a) => a.requestId === 'old'), 'ack');
  assert.equal(alice.wire.inbound('ack', sockets).find((a) => a.requestId === 'old').recovered, false);
  await bob.client.publish(ch, { seq: 4 });
  const m = await alice.rec.waitFor('message', (e) => e.data.seq === 4, { timeout: 5000 });
  assert.equal(m.channel, ch);
});

/**
 * A JWT client of peer `sub` connected to the node at `url` (a cluster run's nodes: ctx.server.nodes);
 * `route(entry, url)`, if given, opens its sockets.
 */
async function on(url, sub, route) {
  let entry = null;
  entry = ctx.pool.build({ claims: { sub } }, {
    url, ...FAST_RECONNECT, ...(route ? { webSocketFactory: (to) => route(entry, to) } : {}),
  });
  await within(entry.client.connect(), 12_000, 'connect');
  await entry.rec.waitFor('connected');
  return entry;
}

test('acceptance across two nodes: a reader cut off on node a resumes on node b with each publisher\'s messages once, in order', CLUSTER ? T : { ...T, skip: 'needs two nodes: npm run test:cluster' }, async () => {
  const ch = chan('hist');
  const [a, b] = ctx.server.nodes.map((node) => node.url);
  let sockets = 0;
  // Its first socket goes to node a; every reconnect lands on node b, as behind a load balancer.
  const alice = await on(a, 'hist-xnode-alice',
    (entry, url) => entry.wire.factory(sockets++ === 0 ? url : url.replace(a, b)));
  const onA = await on(a, 'hist-xnode-bob');
  const onB = await on(b, 'hist-xnode-carol');
  await alice.client.subscribe(ch);
  await onA.client.publish(ch, { by: 'a', seq: 0 });
  await onB.client.publish(ch, { by: 'b', seq: 0 });
  await alice.rec.waitFor('message', (m) => m.channel === ch && m.data.by === 'b' && m.data.seq === 0);
  await alice.rec.waitFor('message', (m) => m.channel === ch && m.data.by === 'a' && m.data.seq === 0);
  await confirmed(alice);

  const since = alice.rec.mark();
  alice.wire.sockets[0].terminate();
  for (let seq = 1; seq <= 25; seq++) {
    await onA.client.publish(ch, { by: 'a', seq });
    await onB.client.publish(ch, { by: 'b', seq });
  }
  await alice.rec.waitFor('connected', (c) => c.isReconnect, { since, timeout: 10_000 });
  await onA.client.publish(ch, { by: 'a', seq: 26 });
  await onB.client.publish(ch, { by: 'b', seq: 26 });
  await alice.rec.waitFor('message', (m) => m.channel === ch && m.data.by === 'b' && m.data.seq === 26, { timeout: 10_000 });
  await alice.rec.waitFor('message', (m) => m.channel === ch && m.data.by === 'a' && m.data.seq === 26, { timeout: 10_000 });

  assert.ok(alice.wire.sockets.length === 2 && sockets === 2, 'one reconnect, to node b');
  const messages = alice.rec.all('message', (m) => m.channel === ch);
  for (const by of ['a', 'b']) {
    assert.deepEqual(messages.filter((m) => m.data.by === by).map((m) => m.data.seq),
      Array.from({ length: 27 }, (_, i) => i), `publisher ${by}: every message once, in order`);
  }
  const ack = alice.wire.inbound('ack', 1).find((x) => x.recovered !== undefined);
  assert.equal(ack?.recovered, true, 'node b found where the connection on node a stood');
});

test('across two nodes while both publishers keep sending: no gap, in order; only unconfirmed frames may repeat', CLUSTER ? T : { ...T, skip: 'needs two nodes: npm run test:cluster' }, async (t) => {
  const ch = chan('hist');
  const [a, b] = ctx.server.nodes.map((node) => node.url);
  let sockets = 0;
  const alice = await on(a, 'hist-xnode-dora',
    (entry, url) => entry.wire.factory(sockets++ === 0 ? url : url.replace(a, b)));
  const publishers = { a: await on(a, 'hist-xnode-eve'), b: await on(b, 'hist-xnode-finn') };
  await alice.client.subscribe(ch);
  const TOTAL = 150;
  const sending = Object.entries(publishers).map(([by, p]) => (async () => { // ~60 a second each
    for (let seq = 1; seq <= TOTAL; seq++) {
      await p.client.publish(ch, { by, seq });
      await new Promise((r) => setTimeout(r, 16));
    }
  })());
  const seen = (by, least) => (m) => m.channel === ch && m.data.by === by && m.data.seq >= least;
  await alice.rec.waitFor('message', seen('a', 50), { timeout: 10_000 });
  await alice.rec.waitFor('message', seen('b', 50), { timeout: 10_000 });
  const before = alice.rec.all('message', (m) => m.channel === ch).length;
  alice.wire.sockets[0].terminate();
  await Promise.all(sending);
  await alice.rec.waitFor('message', seen('a', TOTAL), { timeout: 15_000 });
  await alice.rec.waitFor('message', seen('b', TOTAL), { timeout: 15_000 });

  assert.equal(sockets, 2, 'one reconnect, to node b');
  const messages = alice.rec.all('message', (m) => m.channel === ch);
  for (const by of ['a', 'b']) {
    const got = messages.filter((m) => m.data.by === by).map((m) => m.data.seq);
    assert.deepEqual([...new Set(got)], Array.from({ length: TOTAL }, (_, i) => i + 1), `publisher ${by}: no gap, in order`);
  }
  // As on one node: a repeat may only be a message the old connection emitted after the second-to-last ping it
  // answered (the last pong may not have reached node a before the drop).
  const old = alice.wire.frames.filter((f) => f.socket === 0 && (f.ping || f.frame?.type === 'message'));
  const pings = old.flatMap((f, index) => (f.ping ? [old.slice(0, index).filter((g) => !g.ping).length] : []));
  const safe = pings.length >= 2 ? pings[pings.length - 2] : 0;
  const repeats = messages.length - 2 * TOTAL;
  t.diagnostic(`${repeats} repeated of ${before - safe} unconfirmed at the drop`);
  assert.ok(repeats <= before - safe, `${repeats} repeats, but only ${before - safe} messages were unconfirmed`);
});

test('across two nodes: the peer\'s new connection resumes from a connection whose node has not noticed it died', CLUSTER ? T : { ...T, skip: 'needs two nodes: npm run test:cluster' }, async () => {
  const ch = chan('hist');
  const [a, b] = ctx.server.nodes.map((node) => node.url);
  const old = await on(a, 'hist-xnode-gus');
  const publisher = await on(b, 'hist-xnode-hal');
  await old.client.subscribe(ch);
  await publisher.client.publish(ch, { seq: 0 });
  await old.rec.waitFor('message', (m) => m.channel === ch && m.data.seq === 0);
  await confirmed(old);

  old.wire.sockets[0].pause(); // its network dies silently: node a keeps writing, nothing answers its pings
  for (let seq = 1; seq <= 20; seq++) await publisher.client.publish(ch, { seq });
  const fresh = await on(b, 'hist-xnode-gus'); // the same peer, back through another route, on node b
  await fresh.client.subscribe(ch);
  await fresh.rec.waitFor('message', (m) => m.channel === ch && m.data.seq === 20, { timeout: 10_000 });

  assert.deepEqual(seqs(fresh, ch), Array.from({ length: 20 }, (_, i) => i + 1), 'all it had not confirmed, once');
  const ack = fresh.wire.inbound('ack', 0).find((x) => x.recovered !== undefined);
  assert.equal(ack?.recovered, true, 'node b learnt from node a where the dead connection stood');
});
