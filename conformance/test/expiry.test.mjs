// Token expiry during a session: close 4002 at exp − 250 ms; the SDK is not
// terminal on 4002 and reconnects with a fresh token from its tokenProvider
// (protocol.md §10, auth.md §3.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, chan } from '../lib/harness.mjs';
import { signToken } from '../lib/fixtures.mjs';
import { within } from '../lib/client.mjs';

const ctx = useServer();

test('a JWT session is closed with 4002 about 250 ms before exp and the SDK reconnects with a fresh token', { timeout: 30_000 }, async () => {
  const ch = chan('expiry');
  const exps = [];
  let calls = 0;
  const tokenProvider = async () => {
    calls += 1;
    // First token: 3 s (2–3 s after rounding); later tokens: 1 h.
    const exp = Math.floor(Date.now() / 1000) + (calls === 1 ? 3 : 3600);
    exps.push(exp);
    return signToken({ sub: 'expiry-peer', exp });
  };
  const c = ctx.pool.build({ token: 'unused' }, {
    tokenProvider,
    reconnect: { initialDelayMs: 100, maxDelayMs: 500, jitterRatio: 0.2, maxAttempts: 20 },
  });
  // build() installed its own provider for `token`; ours (in opts) wins.
  await within(c.client.connect(), 12_000, 'connect');
  const first = await c.rec.waitFor('connected');
  assert.equal(first.expiresAt, exps[0]);
  await c.client.subscribe(ch);

  const disc = await c.rec.waitFor('disconnected', () => true, { timeout: 6000, what: '4002 close' });
  const closedAt = Date.now();
  assert.equal(disc.code, 4002, `close code (reason ${JSON.stringify(disc.reason)})`);
  assert.equal(disc.willReconnect, true, '4002 is not terminal');
  const due = exps[0] * 1000 - 250;
  assert.ok(closedAt >= due - 200, `closed ${due - closedAt} ms before exp − 250 ms`);
  assert.ok(closedAt <= due + 1000, `closed ${closedAt - due} ms after exp − 250 ms`);

  const again = await c.rec.waitFor('connected', (e) => e.isReconnect, { timeout: 10_000, what: 'reconnect' });
  assert.equal(again.peerId, 'expiry-peer');
  assert.equal(again.expiresAt, exps.at(-1));
  assert.ok(calls >= 2, 'tokenProvider is called again on reconnect');

  const pub = await ctx.pool.pk();
  const deadline = Date.now() + 10_000;
  // Publish until the replayed subscription is live (replay is asynchronous).
  for (;;) {
    await pub.client.publish(ch, 'after-refresh');
    try {
      await c.rec.waitFor('message', (e) => e.channel === ch, { timeout: 300 });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
  }
});
