// Credential and admission failures: upgrade, then a 4xxx close before any
// welcome; the SDK rejects connect() with SignallingConnectError and does not
// retry (protocol.md §2.2, §15; auth.md §2–3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignallingConnectError } from '@metered-ca/realtime';
import { useServer, T } from '../lib/harness.mjs';
import { KEYS, ALLOWED_ORIGIN, signToken } from '../lib/fixtures.mjs';
import { rejection, sleep } from '../lib/client.mjs';

const ctx = useServer();

/** connect() must reject with SignallingConnectError(closeCode); one socket attempt, no welcome. */
async function expectRejected(cred, closeCode) {
  const c = ctx.pool.build(cred);
  const err = await rejection(c.client.connect(), 12_000, 'connect()');
  assert.ok(err instanceof SignallingConnectError, `expected SignallingConnectError, got ${err?.name}: ${err?.message}`);
  assert.equal(err.name, 'SignallingConnectError');
  assert.equal(err.closeCode, closeCode, `closeCode (reason: ${JSON.stringify(err.closeReason)})`);
  assert.ok(Buffer.byteLength(err.closeReason ?? '', 'utf8') <= 123);
  assert.equal(c.wire.inbound('welcome').length, 0, 'no welcome may precede an admission close');
  // Wait past the SDK's first reconnect delay (500 ms ± 20 %) to prove nothing retried.
  await sleep(800);
  assert.equal(c.wire.sockets.length, 1, 'exactly one socket attempt (no retry)');
  assert.equal(c.client.state, 'closed');
  return { err, c };
}

function rawJwt(header, payload, signature = '') {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

test('an unknown publishable key is closed with 4001 and not retried', T, async () => {
  await expectRejected({ apiKey: 'pk_live_doesnotexist000000000000' }, 4001);
});

test('a JWT with a bad signature is closed with 4001 and not retried', T, async () => {
  const token = signToken({ sub: 'adm-badsig' }, { secret: 'sk_secret_wrongwrongwrongwrongwrongwrong01' });
  await expectRejected({ token }, 4001);
});

test('a JWT whose kid names no secret key is closed with 4001', T, async () => {
  const token = signToken({ sub: 'adm-kid' }, { kid: 'sk_id_unknown0000000000000000001' });
  await expectRejected({ token }, 4001);
});

test('a JWT whose kid is a publishable key id is closed with 4001', T, async () => {
  const token = signToken({ sub: 'adm-pkkid' }, { kid: KEYS.pk });
  await expectRejected({ token }, 4001);
});

test('an unsigned alg:none JWT is closed with 4001', T, async () => {
  const token = rawJwt({ alg: 'none', typ: 'JWT', kid: KEYS.sk.kid }, { sub: 'adm-none', exp: Math.floor(Date.now() / 1000) + 3600 });
  await expectRejected({ token }, 4001);
});

test('a secret key id passed as a publishable key is closed with 4001', T, async () => {
  await expectRejected({ apiKey: KEYS.sk.kid }, 4001);
});

test('a valid JWT passed as a publishable key is closed with 4001', T, async () => {
  await expectRejected({ apiKey: signToken({ sub: 'adm-jwt-as-key' }) }, 4001);
});

test('an expired JWT is closed with 4002', T, async () => {
  const token = signToken({ sub: 'adm-expired', exp: Math.floor(Date.now() / 1000) - 30 });
  await expectRejected({ token }, 4002);
});

test('a publishable key of a suspended app is closed with 4012', T, async () => {
  await expectRejected({ apiKey: KEYS.pkSuspended }, 4012);
});

test('a JWT of a suspended app is closed with 4012', T, async () => {
  await expectRejected({ token: signToken({ sub: 'adm-susp' }, { key: KEYS.skSuspended }) }, 4012);
});

test('a connection beyond the app concurrent-connection cap is closed with 4010, and the slot frees on close', T, async () => {
  const first = await ctx.pool.pk(KEYS.pkCapped); // maxConcurrentConnections: 1
  const c = ctx.pool.build({ apiKey: KEYS.pkCapped });
  const err = await rejection(c.client.connect(), 12_000, 'second capped connect()');
  assert.ok(err instanceof SignallingConnectError, `expected SignallingConnectError, got ${err?.name}: ${err?.message}`);
  assert.equal(err.closeCode, 4010);
  assert.equal(c.wire.inbound('welcome').length, 0);
  assert.equal(c.wire.sockets.length, 1);
  // The cap is per app: other apps are unaffected.
  await ctx.pool.pk(KEYS.pk);
  // Closing the first connection frees the slot.
  await first.client.close();
  const deadline = Date.now() + 5000;
  let lastErr;
  while (Date.now() < deadline) {
    const again = ctx.pool.build({ apiKey: KEYS.pkCapped });
    try {
      await again.client.connect();
      return;
    } catch (e) {
      lastErr = e;
      await sleep(200);
    }
  }
  assert.fail(`slot not freed within 5 s of closing the first connection: ${lastErr?.name} closeCode=${lastErr?.closeCode}`);
});

test('a JWT whose peerMetadata exceeds 4096 bytes is closed with 4001', T, async () => {
  const peerMetadata = { blob: 'p'.repeat(4096 - JSON.stringify({ blob: '' }).length + 1) };
  assert.equal(Buffer.byteLength(JSON.stringify(peerMetadata)), 4097);
  await expectRejected({ token: signToken({ sub: 'adm-bigpm', peerMetadata }) }, 4001);
});

test('a JWT whose metadata exceeds 8192 bytes is closed with 4001', T, async () => {
  const metadata = { blob: 'm'.repeat(8192 - JSON.stringify({ blob: '' }).length + 1) };
  assert.equal(Buffer.byteLength(JSON.stringify(metadata)), 8193);
  await expectRejected({ token: signToken({ sub: 'adm-bigmeta', metadata }) }, 4001);
});

test('a JWT whose sub is longer than 128 characters is closed with 4001', T, async () => {
  await expectRejected({ token: signToken({ sub: 's'.repeat(129) }) }, 4001);
});

test('a JWT without sub is closed with 4001', T, async () => {
  await expectRejected({ token: signToken({}) }, 4001);
});

test('a JWT whose nbf is more than 60 s in the future is closed with 4001', T, async () => {
  await expectRejected({ token: signToken({ sub: 'adm-nbf', nbf: Math.floor(Date.now() / 1000) + 600 }) }, 4001);
});

test('a JWT whose channels claim is not an array of strings is closed with 4001', T, async () => {
  await expectRejected({ token: signToken({ sub: 'adm-chan', channels: 'room-1' }) }, 4001);
});

test('a publishable key with allowedOrigins refuses a foreign Origin with 4001', T, async () => {
  await expectRejected({ apiKey: KEYS.pkOrigin, origin: 'https://evil.example.com' }, 4001);
});

test('a publishable key with allowedOrigins accepts its own Origin and a missing Origin', T, async () => {
  const own = await ctx.pool.connect({ apiKey: KEYS.pkOrigin, origin: ALLOWED_ORIGIN });
  assert.equal(own.client.state, 'connected');
  const none = await ctx.pool.connect({ apiKey: KEYS.pkOrigin });
  assert.equal(none.client.state, 'connected');
});

test('a valid publishable key and a valid JWT both connect', T, async () => {
  const a = await ctx.pool.pk();
  const b = await ctx.pool.jwt({ sub: 'adm-ok' });
  assert.equal(a.client.state, 'connected');
  assert.equal(b.client.state, 'connected');
});
