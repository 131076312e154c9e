// Graceful shutdown: going_away, close 1001, automatic reconnect and
// resubscribe once the server is back on the same port (protocol.md §12, §15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, T, chan } from '../lib/harness.mjs';
import { KEYS } from '../lib/fixtures.mjs';
import { within } from '../lib/client.mjs';

const ctx = useServer();

test('SIGTERM sends going_away then closes with 1001; after a restart on the same port the SDK reconnects, resubscribes and receives new messages', { timeout: 60_000 }, async () => {
  const ch = chan('restart');
  // Short backoff so the reconnect lands soon after the restart.
  const reconnect = { initialDelayMs: 250, multiplier: 2, maxDelayMs: 1000, jitterRatio: 0.2, maxAttempts: 200 };
  const sub = await ctx.pool.jwt({ sub: 'restart-sub' }, { reconnect });
  const pkSub = await ctx.pool.connect({ apiKey: KEYS.pk }, { reconnect });
  await sub.client.subscribe(ch);
  await pkSub.client.subscribe(ch);

  const exit = await within(ctx.server.stop(), 15_000, 'server stop after SIGTERM');

  for (const c of [sub, pkSub]) {
    const ga = await c.rec.waitFor('going-away', () => true, { timeout: 5000 });
    assert.equal(ga.retryAfterMs, 1000);
    const raw = c.wire.inbound('going_away', 0);
    assert.equal(raw.length, 1, 'exactly one going_away frame');
    assert.equal(raw[0].retryAfterMs, 1000);
    const disc = await c.rec.waitFor('disconnected', () => true, { timeout: 5000 });
    assert.equal(disc.code, 1001, `close code (reason ${JSON.stringify(disc.reason)})`);
    assert.equal(disc.willReconnect, true);
    // going_away is the last frame the old socket delivered, before the close.
    const lastIn = c.wire.frames.filter((f) => f.socket === 0 && f.dir === 'in').at(-1);
    assert.equal(lastIn.frame?.type, 'going_away');
    const order = c.rec.events.filter((e) => e.name === 'going-away' || e.name === 'disconnected').map((e) => e.name);
    assert.deepEqual(order.slice(0, 2), ['going-away', 'disconnected']);
  }
  assert.notEqual(exit, null);

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
});
