// Payload size cap: the SDK refuses oversized payloads client-side; a payload
// at the cap must pass through the server intact (protocol.md §13.1, Q4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OversizedPayloadError } from '@metered-ca/realtime';
import { useServer, T, chan } from '../lib/harness.mjs';
import { rejection, sleep } from '../lib/client.mjs';

const ctx = useServer();
const CAP = 65536;

test('publish of a payload over 65536 bytes throws OversizedPayloadError client-side and the connection survives', T, async () => {
  const c = await ctx.pool.pk();
  const ch = chan('big');
  await c.client.subscribe(ch);
  const before = c.wire.outbound('publish').length;
  const data = 'x'.repeat(CAP - 1); // JSON.stringify adds 2 quotes → 65537 bytes
  const err = await rejection(c.client.publish(ch, data), 5000, 'oversized publish');
  assert.ok(err instanceof OversizedPayloadError, `expected OversizedPayloadError, got ${err?.name}`);
  assert.equal(err.name, 'OversizedPayloadError');
  assert.equal(err.size, CAP + 1);
  assert.equal(err.cap, CAP);
  assert.equal(c.wire.outbound('publish').length, before, 'nothing was sent');
  assert.equal(c.client.state, 'connected');
  await c.client.publish(ch, 'small');
});

test('send of a payload over 65536 bytes throws OversizedPayloadError client-side', T, async () => {
  const a = await ctx.pool.pk();
  const b = await ctx.pool.pk();
  const err = await rejection(a.client.send(b.peerId, { blob: 'y'.repeat(CAP) }), 5000, 'oversized send');
  assert.ok(err instanceof OversizedPayloadError);
  assert.equal(err.cap, CAP);
});

test('a publish whose JSON payload is exactly 65536 bytes is delivered intact', T, async () => {
  const ch = chan('cap');
  const pub = await ctx.pool.pk();
  const sub = await ctx.pool.pk();
  await sub.client.subscribe(ch);
  const data = 'a'.repeat(CAP - 2);
  assert.equal(Buffer.byteLength(JSON.stringify(data)), CAP);
  await pub.client.publish(ch, data);
  const m = await sub.rec.waitFor('message', (e) => e.channel === ch);
  assert.equal(m.data.length, data.length);
  assert.equal(m.data, data);
  assert.equal(pub.client.state, 'connected');
  assert.equal(pub.rec.all('disconnected').length, 0, `publisher dropped: ${JSON.stringify(pub.rec.all('disconnected'))}`);
});

test('an object payload at the cap with multi-byte UTF-8 and escapes is delivered intact', T, async () => {
  const ch = chan('cap-utf8');
  const pub = await ctx.pool.jwt({ sub: 'size-pub', peerMetadata: { username: 'Size' } });
  const sub = await ctx.pool.pk();
  await sub.client.subscribe(ch, { includeSenderMetadata: true });
  // {"t":"é…é","q":"\"…"} sized to exactly CAP bytes of UTF-8.
  const base = { t: '', q: '"\\' };
  const overhead = Buffer.byteLength(JSON.stringify(base));
  const remaining = CAP - overhead;
  base.t = 'é'.repeat(Math.floor(remaining / 2)) + 'z'.repeat(remaining % 2);
  assert.equal(Buffer.byteLength(JSON.stringify(base)), CAP);
  await pub.client.publish(ch, base);
  const m = await sub.rec.waitFor('message', (e) => e.channel === ch);
  assert.deepEqual(m.data, base);
  assert.deepEqual(m.fromMetadata, { username: 'Size' });
  assert.equal(pub.rec.all('disconnected').length, 0);
});

test('a direct send whose JSON payload is exactly 65536 bytes is delivered intact', T, async () => {
  const a = await ctx.pool.pk();
  const b = await ctx.pool.pk();
  const data = { k: 'b'.repeat(CAP - Buffer.byteLength(JSON.stringify({ k: '' }))) };
  assert.equal(Buffer.byteLength(JSON.stringify(data)), CAP);
  await a.client.send(b.peerId, data);
  const d = await b.rec.waitFor('direct', (e) => e.from === a.peerId);
  assert.deepEqual(d.data, data);
  await sleep(100);
  assert.equal(a.rec.all('disconnected').length, 0);
});
