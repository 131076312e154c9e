// Connection establishment and the welcome frame (protocol.md §2.3, §9.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, T, UUID_V4 } from '../lib/harness.mjs';
import { KEYS } from '../lib/fixtures.mjs';

const ctx = useServer();

test('a publishable key connects and gets a fresh UUID v4 peerId per connection', T, async () => {
  const a = await ctx.pool.pk();
  const b = await ctx.pool.pk();
  assert.match(a.peerId, UUID_V4);
  assert.match(b.peerId, UUID_V4);
  assert.notEqual(a.peerId, b.peerId);
});

test('welcome is the first frame and, for a publishable key, has expiresAt null and no metadata', T, async () => {
  const a = await ctx.pool.pk();
  const first = a.wire.frames[0];
  assert.equal(first.dir, 'in');
  assert.equal(first.frame?.type, 'welcome');
  const w = first.frame;
  assert.ok('expiresAt' in w, 'welcome.expiresAt must be present (null) for publishable keys');
  assert.equal(w.expiresAt, null);
  assert.equal(a.welcome.expiresAt, null);
  assert.equal(a.welcome.isReconnect, false);
  assert.ok(!('metadata' in w), `no metadata expected for a pk session, got ${JSON.stringify(w.metadata)}`);
});

test('a JWT connects with peerId = sub and expiresAt = exp', T, async () => {
  const exp = Math.floor(Date.now() / 1000) + 1800;
  const c = await ctx.pool.jwt({ sub: 'welcome-alice', exp });
  assert.equal(c.welcome.peerId, 'welcome-alice');
  assert.equal(c.welcome.expiresAt, exp);
  const w = c.wire.inbound('welcome')[0];
  assert.equal(w.peerId, 'welcome-alice');
  assert.equal(w.expiresAt, exp);
});

test('two connections with the same sub share the peerId', T, async () => {
  const a = await ctx.pool.jwt({ sub: 'welcome-twin' });
  const b = await ctx.pool.jwt({ sub: 'welcome-twin' });
  assert.equal(a.peerId, 'welcome-twin');
  assert.equal(b.peerId, 'welcome-twin');
});

test('welcome.serverTime is the current Unix time in integer seconds', T, async () => {
  const before = Date.now() / 1000;
  const c = await ctx.pool.pk();
  const after = Date.now() / 1000;
  const t = c.welcome.serverTime;
  assert.ok(Number.isInteger(t), `serverTime should be an integer, got ${t}`);
  assert.ok(t >= Math.floor(before) - 5 && t <= Math.ceil(after) + 5, `serverTime ${t} not within 5 s of ${before}`);
});

test('welcome advertises maxMessageSize 65536', T, async () => {
  const a = await ctx.pool.pk();
  const b = await ctx.pool.jwt({ sub: 'welcome-size' });
  assert.equal(a.welcome.maxMessageSize, 65536);
  assert.equal(b.welcome.maxMessageSize, 65536);
});

test('welcome.metadata passes the JWT metadata claim through untouched', T, async () => {
  const metadata = {
    iceServers: [
      { urls: ['stun:stun.example.org:3478'] },
      { urls: 'turn:turn.example.org:3478?transport=udp', username: 'u1', credential: 'c1' },
    ],
    room: 'lobby',
    nested: { list: [1, 2.5, 'x', null, true], empty: {} },
    unicode: 'héllo ✓',
  };
  const c = await ctx.pool.jwt({ sub: 'welcome-meta', metadata, peerMetadata: { username: 'Meta' } });
  const w = c.wire.inbound('welcome')[0];
  assert.deepEqual(w.metadata, metadata);
  // The SDK surfaces metadata.iceServers on its `connected` event.
  assert.deepEqual(c.welcome.iceServers, metadata.iceServers);
});

test('a JWT carrying 8 KB metadata and 4 KB peerMetadata (a ~17 KB query string) connects', T, async () => {
  const metadata = { blob: 'm'.repeat(8192 - JSON.stringify({ blob: '' }).length) };
  const peerMetadata = { blob: 'p'.repeat(4096 - JSON.stringify({ blob: '' }).length) };
  assert.equal(Buffer.byteLength(JSON.stringify(metadata)), 8192);
  assert.equal(Buffer.byteLength(JSON.stringify(peerMetadata)), 4096);
  const c = await ctx.pool.jwt({ sub: 'welcome-big', metadata, peerMetadata });
  assert.ok(c.wire.urls[0].length > 16_000, `connect URL is ${c.wire.urls[0].length} chars`);
  assert.deepEqual(c.wire.inbound('welcome')[0].metadata, metadata);
  const other = await ctx.pool.pk();
  await c.client.send(other.peerId, 'big-hello');
  const d = await other.rec.waitFor('direct', (e) => e.from === 'welcome-big');
  assert.deepEqual(d.fromMetadata, peerMetadata);
});

test('a JWT without a metadata claim gets a welcome without metadata', T, async () => {
  const c = await ctx.pool.jwt({ sub: 'welcome-nometa', peerMetadata: { username: 'NoMeta' } });
  const w = c.wire.inbound('welcome')[0];
  assert.ok(!('metadata' in w), `unexpected welcome.metadata ${JSON.stringify(w.metadata)}`);
  assert.equal(c.welcome.iceServers, undefined);
});

test('the SDK heartbeat ping is answered with pong and an idle connection stays up', T, async () => {
  // inactivityTimeoutMs 3000 → the SDK pings after 1 s of silence and closes
  // with 4000 if nothing arrives for 3 s.
  const c = await ctx.pool.connect({ apiKey: KEYS.pk }, { inactivityTimeoutMs: 3000 });
  await new Promise((r) => setTimeout(r, 4500));
  const pings = c.wire.outbound('ping');
  const pongs = c.wire.inbound('pong');
  assert.ok(pings.length >= 1, 'the SDK should have sent at least one ping');
  assert.ok(pongs.length >= 1, `expected a pong for ${pings.length} ping(s), got none`);
  assert.equal(c.rec.all('disconnected').length, 0, `connection dropped: ${JSON.stringify(c.rec.all('disconnected'))}`);
  assert.equal(c.client.state, 'connected');
  assert.equal(c.wire.sockets.length, 1);
});
