// What SDK clients observe from REST control-plane actions (rest-api.md §4–5):
// admin kick → close 4020 (terminal in the SDK), REST publish → message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, T, chan } from '../lib/harness.mjs';
import { KEYS } from '../lib/fixtures.mjs';
import { sleep, within } from '../lib/client.mjs';

const ctx = useServer();

function rest(method, path, body, key = KEYS.sk) {
  const url = `${ctx.server.httpUrl}${path}`;
  return within(fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${key.kid}:${key.secret}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  }), 5000, `${method} ${path}`);
}

test('DELETE /v1/peers/:id closes every connection of the peer with 4020; the SDK does not reconnect and others see left', T, async () => {
  const ch = chan('kick');
  const reconnect = { initialDelayMs: 100, maxDelayMs: 200, jitterRatio: 0.2, maxAttempts: 20 };
  const obs = await ctx.pool.pk();
  await obs.client.subscribe(ch);
  const tab1 = await ctx.pool.jwt({ sub: 'kick-mallory', peerMetadata: { username: 'Mallory' } }, { reconnect });
  const tab2 = await ctx.pool.jwt({ sub: 'kick-mallory', peerMetadata: { username: 'Mallory' } }, { reconnect });
  await tab1.client.subscribe(ch);
  await tab2.client.subscribe(ch);
  await obs.rec.waitFor('presence', (e) => e.channel === ch && e.joined.some((p) => p.peerId === 'kick-mallory'));

  const res = await rest('DELETE', '/v1/peers/kick-mallory');
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const body = JSON.parse(text);
  assert.deepEqual(body, { peerId: 'kick-mallory', closed: 2 });

  for (const c of [tab1, tab2]) {
    const d = await c.rec.waitFor('disconnected', () => true, { what: '4020 close' });
    assert.equal(d.code, 4020, `close code (reason ${JSON.stringify(d.reason)})`);
    assert.equal(d.willReconnect, false, '4020 is terminal');
  }
  const left = await obs.rec.waitFor('presence', (e) => e.channel === ch && e.left.some((p) => p.peerId === 'kick-mallory'));
  assert.deepEqual(left.left, [{ peerId: 'kick-mallory', metadata: { username: 'Mallory' } }]);
  await sleep(700);
  for (const c of [tab1, tab2]) {
    assert.equal(c.client.state, 'closed');
    assert.equal(c.wire.sockets.length, 1, 'no reconnect attempt after 4020');
  }
  assert.equal(obs.client.state, 'connected', 'other peers are unaffected');
});

test('DELETE /v1/peers/:id for an offline peer answers 200 with closed 0', T, async () => {
  const res = await rest('DELETE', '/v1/peers/kick-nobody');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { peerId: 'kick-nobody', closed: 0 });
});

test('a kick by another app\'s key does not affect this app\'s peer', T, async () => {
  const c = await ctx.pool.jwt({ sub: 'kick-safe' });
  const res = await rest('DELETE', '/v1/peers/kick-safe', undefined, KEYS.skOther);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).closed, 0);
  await sleep(300);
  assert.equal(c.client.state, 'connected');
});

test('POST /v1/channels/:id/publish reaches SDK subscribers as a message from "system"', T, async () => {
  const ch = chan('rest');
  const plain = await ctx.pool.pk();
  const opted = await ctx.pool.pk();
  await plain.client.subscribe(ch);
  await opted.client.subscribe(ch, { includeSenderMetadata: true });
  const peerMetadata = { kind: 'moderation-bot' };
  const res = await rest('POST', `/v1/channels/${encodeURIComponent(ch)}/publish`, { data: { note: 'from backend' }, peerMetadata });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const m1 = await plain.rec.waitFor('message', (e) => e.channel === ch);
  assert.equal(m1.from, 'system');
  assert.deepEqual(m1.data, { note: 'from backend' });
  assert.equal(m1.fromMetadata, undefined);
  const m2 = await opted.rec.waitFor('message', (e) => e.channel === ch);
  assert.deepEqual(m2.fromMetadata, peerMetadata);
});
