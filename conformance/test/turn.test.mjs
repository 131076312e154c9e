// TURN credentials in the welcome (auth.md §8, open-questions.md Q33), as the
// official SDK surfaces them on its `connected` event. The relay itself is
// exercised against a real coturn in the browser suite (web/test/turn.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { useServer, T } from '../lib/harness.mjs';
import { defaultConfig, KEYS } from '../lib/fixtures.mjs';

const SECRET = 'conformance-turn-shared-secret';
const OTHER_SECRET = 'conformance-other-turn-secret';
const URLS = ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'];
const STUN = { urls: 'stun:127.0.0.1:3478' };
const NO_TURN_PK = 'pk_live_conformancenoturn00000001';

function config() {
  const cfg = defaultConfig();
  cfg.turn = { urls: URLS, secret: SECRET, ttl: '1h', iceServers: [STUN] };
  const conf = cfg.apps.find((a) => a.id === 'app_conf');
  conf.keys.push({ type: 'publishable', id: NO_TURN_PK, channelPatterns: ['**'], actions: ['subscribe'],
    autoInjectTurn: false });
  cfg.apps.find((a) => a.id === 'app_other').turn = { urls: ['turns:turn.other.example:5349'], secret: OTHER_SECRET };
  return cfg;
}

const ctx = useServer({ config: config() });

const hmac = (secret, username) => createHmac('sha1', secret).update(username).digest('base64');

function derived(iceServers, urls) {
  const entry = iceServers.find((s) => JSON.stringify(s.urls) === JSON.stringify(urls));
  assert.ok(entry, `no entry for ${urls} in ${JSON.stringify(iceServers)}`);
  return entry;
}

test('a publishable-key session gets the static servers and a time-limited TURN credential the SDK accepts', T, async () => {
  const before = Math.floor(Date.now() / 1000);
  const c = await ctx.pool.pk();
  const after = Math.floor(Date.now() / 1000);
  assert.ok(Array.isArray(c.welcome.iceServers), 'the SDK surfaced iceServers (it drops a list it finds invalid)');
  assert.deepEqual(c.welcome.iceServers[0], { urls: [STUN.urls] }, 'a static entry, its urls as a list');
  const turn = derived(c.welcome.iceServers, URLS);
  const [expiry, peerId] = turn.username.split(':');
  assert.equal(peerId, c.peerId);
  assert.ok(Number(expiry) >= before + 3600 && Number(expiry) <= after + 3600, `expiry ${expiry}`);
  assert.equal(turn.credential, hmac(SECRET, turn.username), 'base64 HMAC-SHA1 of the username (coturn use-auth-secret)');
});

test('a JWT session gets a credential that expires with the token, next to its other metadata', T, async () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const c = await ctx.pool.jwt({ sub: 'turn-jwt', exp, metadata: { room: 'lobby' } });
  const w = c.wire.inbound('welcome')[0];
  assert.equal(w.metadata.room, 'lobby');
  const turn = derived(c.welcome.iceServers, URLS);
  assert.equal(turn.username, `${exp}:turn-jwt`);
  assert.equal(turn.credential, hmac(SECRET, turn.username));
});

test("a JWT's own metadata.iceServers wins and is passed through untouched", T, async () => {
  const metadata = { iceServers: [{ urls: 'turn:own.example:3478', username: 'u', credential: 'c' }], x: 1 };
  const c = await ctx.pool.jwt({ sub: 'turn-own', metadata });
  assert.deepEqual(c.wire.inbound('welcome')[0].metadata, metadata);
});

test('a key with autoInjectTurn: false gets a welcome without metadata', T, async () => {
  const c = await ctx.pool.pk(NO_TURN_PK);
  assert.ok(!('metadata' in c.wire.inbound('welcome')[0]));
  assert.equal(c.welcome.iceServers, undefined);
});

test("an app's own turn: replaces the top-level one", T, async () => {
  const c = await ctx.pool.pk(KEYS.pkOther);
  assert.equal(c.welcome.iceServers.length, 1);
  const turn = derived(c.welcome.iceServers, ['turns:turn.other.example:5349']);
  assert.equal(turn.credential, hmac(OTHER_SECRET, turn.username));
});

test('the shared secret appears in no REST answer', T, async () => {
  for (const path of ['/v1/usage']) {
    const res = await fetch(`${ctx.server.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${KEYS.sk.kid}:${KEYS.sk.secret}` },
    });
    assert.equal(res.status, 200, path);
    const body = await res.text();
    assert.ok(!body.includes(SECRET), `${path} leaks the secret`);
  }
  assert.ok(!ctx.server.logs().includes(SECRET), 'the server log names the secret');
});
