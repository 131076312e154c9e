// TURN as a user behind NAT needs it: Switchboard injects time-limited coturn credentials into the welcome
// (`turn:` in the configuration), and two Chromium pages whose connections may only use relay candidates
// (/call?relay=1: iceTransportPolicy "relay" through the SDK's rtcPeerConnectionFactory) open a data channel
// through a real coturn (Debian's, `use-auth-secret`, on loopback). A credential past its expiry is refused by
// coturn (401). Runs inside the loopback-only namespace, like the call test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startDev, RESULTS } from '../lib/browser.mjs';
import { channelOpen, joinCall, launchCallChromium, say } from '../lib/call-page.mjs';
import { devConfigWithTurn, startCoturn, TURNSERVER } from '../lib/coturn.mjs';

const inNamespace = process.env.SWITCHBOARD_NETNS === '1';
const SECRET = randomBytes(24).toString('hex');
const TURN_PORT = 3478; // the standard port; below the ephemeral range (see startCoturn)
const ctx = { dev: null, browser: null, turn: null };
const skip = !inNamespace ? 'needs a loopback-only network namespace (run ./switchboard test as root)'
  : !existsSync(TURNSERVER) ? 'needs coturn (apt-get install coturn; ./switchboard test installs it as root)' : false;

before(async () => {
  if (skip) return;
  ctx.turn = await startCoturn({ secret: SECRET, port: TURN_PORT });
  ctx.dev = await startDev({ config: devConfigWithTurn(SECRET, TURN_PORT) });
  ctx.browser = await launchCallChromium({ camera: false }); // relay candidates need no camera permission
}, { timeout: 60_000 });

after(async () => {
  await ctx.browser?.close();
  await ctx.dev?.stop();
  ctx.turn?.stop();
});

test('two relay-only pages connect a data channel through coturn with the credentials from the welcome', {
  timeout: 60_000, skip,
}, async () => {
  const room = `turn${Date.now() % 100000}`;
  const alice = await joinCall(ctx.browser, ctx.dev.origin, 'Alice', room, { query: '?relay=1' });
  const bob = await joinCall(ctx.browser, ctx.dev.origin, 'Bob', room, { query: '?relay=1' });
  const diagnosis = () => `coturn log: ${ctx.turn.log().slice(-2000)}`;
  await channelOpen(alice, 'Bob', { diagnosis });
  await channelOpen(bob, 'Alice', { diagnosis });
  // Both ends of the selected pair are relay candidates: the media path is coturn, not loopback host candidates.
  assert.deepEqual(await alice.page.evaluate(() => window.switchboardCall.routes()), { Bob: 'relay' });
  assert.deepEqual(await bob.page.evaluate(() => window.switchboardCall.routes()), { Alice: 'relay' });
  await say(alice, bob, 'through the relay');
  await bob.page.screenshot({ path: path.join(RESULTS, 'turn-relay-bob.png') });
  assert.deepEqual([...alice.errors, ...bob.errors], [], 'no script errors');
  await alice.context.close();
  await bob.context.close();
});

test('coturn refuses a credential whose expiry has passed and accepts a current one', { timeout: 30_000, skip }, async () => {
  const context = await ctx.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${ctx.dev.origin}/call`);
  const credential = (expiry) => {
    const username = `${expiry}:someone`;
    return { username, credential: createHmac('sha1', SECRET).update(username).digest('base64') };
  };
  const now = Math.floor(Date.now() / 1000);
  // Gathers relay candidates with one TURN entry; resolves with the relay candidates and any ICE errors.
  const gather = (entry) => page.evaluate(async (server) => {
    const pc = new RTCPeerConnection({ iceServers: [server], iceTransportPolicy: 'relay' });
    const relays = [];
    const errors = [];
    pc.onicecandidate = (e) => { if (e.candidate?.type === 'relay') relays.push(e.candidate.address); };
    pc.onicecandidateerror = (e) => errors.push(e.errorCode);
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve(); };
    });
    pc.close();
    return { relays, errors };
  }, { urls: `turn:127.0.0.1:${TURN_PORT}?transport=udp`, ...entry });

  const expired = await gather(credential(now - 60));
  assert.deepEqual(expired.relays, [], 'no relay candidate with an expired credential');
  assert.ok(expired.errors.includes(401), `coturn answered 401, ICE errors: ${expired.errors}`);
  const current = await gather(credential(now + 600));
  assert.ok(current.relays.length > 0, `a relay candidate with a current credential (errors ${current.errors})`);
  await context.close();
});
