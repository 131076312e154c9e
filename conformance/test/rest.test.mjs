// The REST control plane (rest-api.md) as SDK clients observe it: a REST
// publish is a message from "system", a kick is a terminal 4020 close, a token
// minted by POST /v1/tokens connects with the requested identity and scope,
// and GET /v1/channels/:id/peers matches the presence the SDK sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, T, chan } from '../lib/harness.mjs';
import { KEYS } from '../lib/fixtures.mjs';
import { rejection, sleep, within } from '../lib/client.mjs';

const ctx = useServer();

async function rest(method, path, body, key = KEYS.sk) {
  const res = await within(fetch(`${ctx.server.httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key.kid}:${key.secret}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  }), 5000, `${method} ${path}`);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** The members of `ch` as an SDK client knows them: snapshot, then joined/left deltas, plus itself. */
function sdkMembers(c, ch) {
  const members = new Map([[c.peerId, undefined]]);
  for (const e of c.rec.all('presence', (p) => p.channel === ch)) {
    for (const p of e.joined) members.set(p.peerId, p.metadata);
    for (const p of e.left) members.delete(p.peerId);
  }
  return members;
}

test('a REST publish reaches SDK subscribers (exact and pattern) as a message from "system", in order with SDK publishes', T, async () => {
  const ch = `${chan('restpub')}/room-1`;
  const exact = await ctx.pool.pk();
  const pattern = await ctx.pool.pk();
  const talker = await ctx.pool.pk();
  await exact.client.subscribe(ch);
  await pattern.client.subscribe(`${ch.split('/')[0]}/*`);

  await talker.client.publish(ch, 1);
  // the raw (unencoded) channel path works as well as the encoded one
  const r1 = await rest('POST', `/v1/channels/${ch}/publish`, { data: 2 });
  assert.equal(r1.status, 200, r1.text);
  assert.deepEqual(r1.body, { channel: ch, delivered: 2 });
  await talker.client.publish(ch, 3);
  const r2 = await rest('POST', `/v1/channels/${encodeURIComponent(ch)}/publish`, { data: { n: 4 } });
  assert.equal(r2.status, 200, r2.text);

  for (const c of [exact, pattern]) {
    await c.rec.waitFor('message', (m) => m.channel === ch && m.data?.n === 4);
    const got = c.rec.all('message', (m) => m.channel === ch);
    assert.deepEqual(got.map((m) => m.data), [1, 2, 3, { n: 4 }], 'REST and SDK publishes keep their order');
    assert.equal(got[1].from, 'system');
    assert.equal(got[3].from, 'system');
    assert.equal(got[1].fromMetadata, undefined);
  }
});

test('a REST publish with "from" stamps that sender id', T, async () => {
  const ch = chan('restfrom');
  const sub = await ctx.pool.pk();
  await sub.client.subscribe(ch);
  const r = await rest('POST', `/v1/channels/${ch}/publish`, { data: null, from: 'billing-service' });
  assert.equal(r.status, 200, r.text);
  const m = await sub.rec.waitFor('message', (e) => e.channel === ch);
  assert.equal(m.from, 'billing-service');
  assert.equal(m.data, null);
});

test('a kick via REST surfaces in the SDK as a 4020 close with no reconnect', T, async () => {
  const reconnect = { initialDelayMs: 100, maxDelayMs: 200, jitterRatio: 0.2, maxAttempts: 20 };
  const c = await ctx.pool.jwt({ sub: 'rest-kicked' }, { reconnect });
  const r = await rest('DELETE', `/v1/peers/${encodeURIComponent('rest-kicked')}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { peerId: 'rest-kicked', closed: 1 });
  const d = await c.rec.waitFor('disconnected', () => true, { what: '4020 close' });
  assert.equal(d.code, 4020);
  assert.equal(d.willReconnect, false);
  await sleep(600);
  assert.equal(c.client.state, 'closed');
  assert.equal(c.wire.sockets.length, 1, 'no reconnect attempt after 4020');
});

test('a token minted by POST /v1/tokens connects with the requested identity and scope', T, async () => {
  const ch = chan('minted');
  const r = await rest('POST', '/v1/tokens', {
    peerId: 'rest-minted',
    channels: [`${ch}/*`],
    permissions: ['subscribe', 'presence'],
    expiresInSec: 600,
    peerMetadata: { username: 'Minted' },
    metadata: { plan: 'gold' },
  });
  assert.equal(r.status, 200, r.text);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(r.body.expiresAt - (now + 600)) <= 5, `expiresAt ${r.body.expiresAt}`);

  const observer = await ctx.pool.pk();
  await observer.client.subscribe(`${ch}/a`);
  const c = await ctx.pool.connect({ token: r.body.token });
  assert.equal(c.peerId, 'rest-minted');
  assert.equal(c.wire.inbound('welcome')[0].expiresAt, r.body.expiresAt);
  assert.deepEqual(c.wire.inbound('welcome')[0].metadata, { plan: 'gold' });

  await c.client.subscribe(`${ch}/a`);
  const joined = await observer.rec.waitFor('presence', (e) => e.channel === `${ch}/a` && e.joined.length > 0);
  assert.deepEqual(joined.joined, [{ peerId: 'rest-minted', metadata: { username: 'Minted' } }]);

  const outside = await rejection(c.client.subscribe(`${chan('elsewhere')}`), 5000, 'subscribe outside the token channels');
  assert.equal(outside.name, 'channel_not_authorized');
  const noPublish = await rejection(c.client.publish(`${ch}/a`, 1), 5000, 'publish without the permission');
  assert.equal(noPublish.name, 'action_not_permitted');
  assert.equal(c.client.state, 'connected');
});

test('POST /v1/tokens refuses reserved channels and lifetimes over 24 h', T, async () => {
  const reserved = await rest('POST', '/v1/tokens', { peerId: 'x', channels: ['_system/x'] });
  assert.equal(reserved.status, 400);
  assert.equal(reserved.body.error, 'channel_reserved');
  const long = await rest('POST', '/v1/tokens', { peerId: 'x', expiresInSec: 86_401 });
  assert.equal(long.status, 400);
  assert.equal(long.body.error, 'invalid_request');
});

test('GET /v1/channels/:id/peers matches the presence the SDK sees', T, async () => {
  const ch = `${chan('peers')}/lobby`;
  const observer = await ctx.pool.jwt({ sub: 'rest-observer' });
  await observer.client.subscribe(ch);
  await observer.rec.waitFor('presence', (e) => e.channel === ch);
  const alice1 = await ctx.pool.jwt({ sub: 'rest-alice', peerMetadata: { username: 'Alice' } });
  const alice2 = await ctx.pool.jwt({ sub: 'rest-alice', peerMetadata: { username: 'Alice' } });
  const anon = await ctx.pool.pk();
  const leaver = await ctx.pool.jwt({ sub: 'rest-leaver' });
  for (const c of [alice1, alice2, anon, leaver]) await c.client.subscribe(ch);
  await observer.rec.waitFor('presence', (e) => e.channel === ch && e.joined.some((p) => p.peerId === 'rest-leaver'));
  await leaver.client.unsubscribe(ch);
  await observer.rec.waitFor('presence', (e) => e.channel === ch && e.left.some((p) => p.peerId === 'rest-leaver'));
  await observer.rec.waitFor('presence', (e) => e.channel === ch && e.joined.some((p) => p.peerId === anon.peerId));

  const r = await rest('GET', `/v1/channels/${encodeURIComponent(ch)}/peers`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.channel, ch);
  const listed = new Map(r.body.peers.map((p) => [p.peerId, p.metadata]));
  assert.equal(listed.size, r.body.peers.length, 'one entry per peerId');
  assert.deepEqual(
    [...listed.entries()].sort(),
    [...sdkMembers(observer, ch).entries()].sort(),
  );
  assert.deepEqual(listed.get('rest-alice'), { username: 'Alice' });
  assert.ok(!('metadata' in r.body.peers.find((p) => p.peerId === anon.peerId)), 'no metadata for a peer without peerMetadata');

  const raw = await rest('GET', `/v1/channels/${ch}/peers`);
  assert.deepEqual(raw.body, r.body, 'raw and percent-encoded channel paths name the same channel');
});

test('REST credentials: a publishable key or a key id alone is unauthorized', T, async () => {
  for (const key of [{ kid: KEYS.pk, secret: '' }, { kid: KEYS.sk.kid, secret: 'sk_secret_wrong' }]) {
    const r = await rest('GET', '/v1/usage', undefined, key);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'unauthorized');
  }
  const ok = await rest('GET', '/v1/usage');
  assert.equal(ok.status, 200);
  assert.equal(ok.body.appId, 'app_conf');
});
