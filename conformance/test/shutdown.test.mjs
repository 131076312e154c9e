// Graceful shutdown: going_away, close 1001, automatic reconnect and
// resubscribe once the server is back on the same port (protocol.md §12, §15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, chan } from '../lib/harness.mjs';
import { KEYS } from '../lib/fixtures.mjs';
import { sleep, within } from '../lib/client.mjs';

const ctx = useServer();

test('SIGTERM sends going_away then closes with 1001; after a restart on the same port the SDK reconnects, resubscribes and receives new messages', { timeout: 60_000 }, async () => {
  const ch = chan('restart');
  // Short backoff so the reconnect lands soon after the restart.
  const reconnect = { initialDelayMs: 250, multiplier: 2, maxDelayMs: 1000, jitterRatio: 0.2, maxAttempts: 200 };
  const sub = await ctx.pool.jwt({ sub: 'restart-sub' }, { reconnect });
  const pkSub = await ctx.pool.connect({ apiKey: KEYS.pk }, { reconnect });
  await sub.client.subscribe(ch);
  await pkSub.client.subscribe(ch);

  // Checks of the old connections; a failure here is reported at the end so
  // the reconnect half of the scenario still runs against a restarted server.
  const shutdownChecks = (async () => {
    const exit = await within(ctx.server.stop(), 15_000, 'server stop after SIGTERM');
    assert.notEqual(exit, null);
    for (const c of [sub, pkSub]) {
      const ga = await c.rec.waitFor('going-away', () => true, { timeout: 5000 });
      assert.equal(ga.retryAfterMs, 1000);
      const raw = c.wire.inbound('going_away', 0);
      assert.equal(raw.length, 1, 'exactly one going_away frame');
      assert.equal(raw[0].retryAfterMs, 1000);
      const disc = await c.rec.waitFor('disconnected', () => true, { timeout: 5000 });
      assert.equal(disc.code, 1001, `close code (reason ${JSON.stringify(disc.reason)})`);
      assert.equal(disc.willReconnect, true);
      const order = c.rec.events.filter((e) => e.name === 'going-away' || e.name === 'disconnected').map((e) => e.name);
      assert.deepEqual(order.slice(0, 2), ['going-away', 'disconnected']);
      // going_away is the last frame the old socket delivers: the 1001 close
      // follows it directly (§12), with nothing in between.
      const inbound = c.wire.frames.filter((f) => f.socket === 0 && f.dir === 'in');
      const gaIdx = inbound.findIndex((f) => f.frame?.type === 'going_away');
      assert.deepEqual(inbound.slice(gaIdx + 1).map((f) => f.raw), [],
        `${c === sub ? 'JWT' : 'pk'} subscriber: frames received after going_away, before the 1001 close`);
    }
  })();
  const shutdownResult = await shutdownChecks.then(() => null, (err) => err);
  if (ctx.server.proc) await ctx.server.stop();
  await ctx.server.restartOnSamePort();

  for (const c of [sub, pkSub]) {
    const w = await c.rec.waitFor('connected', (e) => e.isReconnect === true, { timeout: 20_000, what: 'reconnect welcome' });
    if (c === sub) assert.equal(w.peerId, 'restart-sub');
    // Wait until the SDK's replayed subscribe on the new socket is acked.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const sockets = c.wire.sockets.length - 1;
      const replay = c.wire.outbound('subscribe', sockets).find((f) => f.channel === ch);
      if (replay && c.wire.inbound('ack', sockets).some((a) => a.requestId === replay.requestId)) break;
      const err = replay && c.wire.inbound('error', sockets).find((e) => e.requestId === replay.requestId);
      assert.ok(!err, `replayed subscribe was rejected: ${JSON.stringify(err)}`);
      assert.ok(Date.now() < deadline, 'replayed subscribe was not acked within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const pub = await ctx.pool.pk();
  await pub.client.publish(ch, { after: 'restart' });
  for (const c of [sub, pkSub]) {
    const m = await c.rec.waitFor('message', (e) => e.channel === ch, { timeout: 5000 });
    assert.deepEqual(m.data, { after: 'restart' });
    assert.equal(m.from, pub.peerId);
    assert.equal(c.client.state, 'connected');
  }
  if (shutdownResult) throw shutdownResult;
});

test('MeteredPeers rejoin their channel after a server restart and see each other again without errors', { timeout: 60_000 }, async () => {
  const ch = chan('mp-restart');
  const reconnect = { initialDelayMs: 250, multiplier: 2, maxDelayMs: 1000, jitterRatio: 0.2, maxAttempts: 200 };
  const alice = ctx.pool.meteredPeer({ claims: { sub: 'rs-alice', peerMetadata: { name: 'Alice' } } }, { reconnect });
  const bob = ctx.pool.meteredPeer({ claims: { sub: 'rs-bob', peerMetadata: { name: 'Bob' } } }, { reconnect });
  await within(alice.peer.join(ch), 12_000, 'alice.join');
  await within(bob.peer.join(ch), 12_000, 'bob.join');
  await alice.rec.waitFor('peer-joined', (e) => e.peer.id === 'rs-bob');
  await bob.rec.waitFor('peer-joined', (e) => e.peer.id === 'rs-alice');

  if (!ctx.server.proc) await ctx.server.restartOnSamePort(); // in case the previous test died mid-restart
  await within(ctx.server.stop(), 15_000, 'server stop after SIGTERM');
  try {
    for (const p of [alice, bob]) {
      await p.rec.waitFor('state-change', (e) => e.to === 'reconnecting', { what: 'MeteredPeer reconnecting' });
    }
  } finally {
    await ctx.server.restartOnSamePort();
  }

  const deadline = Date.now() + 20_000;
  const settled = () =>
    alice.peer.state === 'joined' && bob.peer.state === 'joined' &&
    alice.peer.remotePeers.map((r) => r.id).join() === 'rs-bob' &&
    bob.peer.remotePeers.map((r) => r.id).join() === 'rs-alice';
  while (!settled()) {
    assert.ok(Date.now() < deadline, `not rejoined within 20 s: alice=${alice.peer.state} [${alice.peer.remotePeers.map((r) => r.id)}], bob=${bob.peer.state} [${bob.peer.remotePeers.map((r) => r.id)}]`);
    await sleep(100);
  }
  assert.deepEqual(alice.peer.remotePeers[0].metadata, { name: 'Bob' });
  assert.deepEqual(bob.peer.remotePeers[0].metadata, { name: 'Alice' });
  await bob.peer.sendTo('rs-alice', 'after-restart');
  const d = await alice.rec.waitFor('data', (e) => e.data === 'after-restart');
  assert.equal(d.kind, 'direct');
  for (const p of [alice, bob]) {
    assert.deepEqual(p.rec.all('error').map((e) => `${e.err?.name}: ${e.err?.message}`), []);
  }
});
