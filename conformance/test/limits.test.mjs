// Per-connection rate limit (close 4011) and the app message quota
// (over_message_quota), protocol.md §13.2–13.3. This file's server runs with a
// small token bucket: burst 10, 5 tokens/s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, T, chan } from '../lib/harness.mjs';
import { KEYS, QUOTA } from '../lib/fixtures.mjs';
import { rejection, sleep } from '../lib/client.mjs';

const ctx = useServer({ server: { rateLimit: { burst: 10, perSecond: 5 } } });

test('exceeding the per-connection message rate closes with 4011 and the SDK reconnects', T, async () => {
  const c = await ctx.pool.connect({ apiKey: KEYS.pk }, { reconnect: { initialDelayMs: 100, maxDelayMs: 500, jitterRatio: 0.2, maxAttempts: 20 } });
  const ch = chan('flood');
  const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => c.client.publish(ch, i)));
  const disc = await c.rec.waitFor('disconnected', () => true, { timeout: 5000, what: '4011 close' });
  assert.equal(disc.code, 4011, `close code (reason ${JSON.stringify(disc.reason)})`);
  assert.equal(disc.willReconnect, true, '4011 is not terminal');
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  assert.ok(ok <= 10, `at most the burst (10) may be accepted before the close, got ${ok}`);
  assert.ok(results.some((r) => r.status === 'rejected'));
  await c.rec.waitFor('connected', (e) => e.isReconnect, { timeout: 10_000, what: 'reconnect after 4011' });
  // A new connection starts with a full bucket.
  await c.client.publish(ch, 'fresh bucket');
});

test('pings do not consume the rate bucket', T, async () => {
  // inactivityTimeoutMs 3000 → a ping every second of idleness.
  const c = await ctx.pool.connect({ apiKey: KEYS.pk }, { inactivityTimeoutMs: 3000 });
  const ch = chan('pings');
  for (let i = 0; i < 8; i++) await c.client.publish(ch, i); // 8 of 10 tokens
  await sleep(2500); // ≥2 pings while the bucket refills only by time
  assert.ok(c.wire.outbound('ping').length >= 2);
  assert.equal(c.rec.all('disconnected').length, 0);
});

test('an exhausted app message quota rejects publish and send with over_message_quota and keeps the connection', T, async () => {
  const a = await ctx.pool.pk(KEYS.pkQuota); // app_quota: maxMessagesPerPeriod 3
  const b = await ctx.pool.pk(KEYS.pkQuota);
  const ch = chan('quota');
  await b.client.subscribe(ch);
  for (let i = 0; i < QUOTA; i++) await a.client.publish(ch, i);
  for (let i = 0; i < QUOTA; i++) await b.rec.waitFor('message', (e) => e.data === i);
  const err = await rejection(a.client.publish(ch, 'over'), 5000, 'publish over quota');
  assert.equal(err.name, 'over_message_quota');
  const err2 = await rejection(a.client.send(b.peerId, 'over'), 5000, 'send over quota');
  assert.equal(err2.name, 'over_message_quota');
  assert.equal(a.client.state, 'connected');
  // Inbound delivery (here: presence) continues for the app's peers.
  await a.client.subscribe(ch);
  const snap = await a.rec.waitFor('presence', (e) => e.channel === ch);
  assert.deepEqual(snap.joined.map((p) => p.peerId), [b.peerId]);
  await sleep(200);
  assert.equal(b.rec.all('message', (e) => e.data === 'over').length, 0);
  assert.equal(b.rec.all('direct').length, 0);
});
