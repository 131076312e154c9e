// `switchboard reload` (SIGHUP) applies a changed file without a restart, as
// an operator runs it: a revoked key's SDK sessions close with 4001 and do
// not reconnect, a newly suspended app's with 4012, a raised limit applies at
// once, and a file that does not validate changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { useServer, T } from '../lib/harness.mjs';
import { KEYS, defaultConfig } from '../lib/fixtures.mjs';
import { sleep } from '../lib/client.mjs';

const ctx = useServer();
const reconnect = { initialDelayMs: 100, maxDelayMs: 200, jitterRatio: 0.2, maxAttempts: 20 };

function without(config, keyId) {
  for (const app of config.apps) app.keys = app.keys.filter((k) => k.id !== keyId);
  return config;
}

test('reload revokes a key: its SDK sessions close with 4001 and stay closed, others carry on', T, async () => {
  const revoked = await ctx.pool.pk(KEYS.pkNoSend, { reconnect });
  const kept = await ctx.pool.pk(KEYS.pk);
  const run = await ctx.server.reload(without(defaultConfig(), KEYS.pkNoSend));
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /applied .*closed_revoked=1/);
  const d = await revoked.rec.waitFor('disconnected', () => true, { what: '4001 after reload' });
  assert.equal(d.code, 4001);
  assert.equal(d.willReconnect, false, '4001 is terminal');
  await kept.client.publish('reload-check', 1); // acked: the kept session is open
  await sleep(500);
  assert.equal(revoked.wire.sockets.length, 1, 'no reconnect after 4001');
  await ctx.server.reload(defaultConfig());
});

test('reload suspends an app: its SDK sessions close with 4012', T, async () => {
  const c = await ctx.pool.pk(KEYS.pkOther, { reconnect });
  const config = defaultConfig();
  config.apps.find((a) => a.id === 'app_other').suspended = true;
  const run = await ctx.server.reload(config);
  assert.equal(run.code, 0, run.stderr);
  const d = await c.rec.waitFor('disconnected', () => true, { what: '4012 after reload' });
  assert.equal(d.code, 4012);
  assert.equal(d.willReconnect, false);
  await ctx.server.reload(defaultConfig());
});

test('a file that does not validate is refused with its field and nothing changes', T, async () => {
  const c = await ctx.pool.pk(KEYS.pk);
  writeFileSync(ctx.server.configFile, 'apps:\n  - id: app_conf\n    keys: []\n');
  const run = await ctx.server.reloadRaw();
  assert.equal(run.code, 1);
  assert.match(run.stderr, /apps\[0\]\.keys/);
  await c.client.publish('reload-check', 2);
  await ctx.pool.pk(KEYS.pkNoSend); // still admitted: the old keys are in force
  await ctx.server.reload(defaultConfig());
});
