// The WebRTC call page in two headless Chromium contexts: both join a room through MeteredPeer, the offer, answer
// and ICE candidates travel only through Switchboard, a data channel opens and carries a message each way, and
// each side plays the other's (fake) camera.
// WebRTC gathers candidates on every interface, so this test runs only inside a network namespace that has
// nothing but loopback (./switchboard test makes one when it runs as root; SWITCHBOARD_NETNS=1 says so).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startDev, RESULTS } from '../lib/browser.mjs';
import { channelOpen, joinCall, launchCallChromium, say } from '../lib/call-page.mjs';

const inNamespace = process.env.SWITCHBOARD_NETNS === '1';
const ctx = { dev: null, browser: null };

before(async () => {
  if (!inNamespace) return;
  ctx.dev = await startDev();
  // A fake camera (auto-accepted): the video path runs too.
  ctx.browser = await launchCallChromium();
}, { timeout: 60_000 });

after(async () => {
  await ctx.browser?.close();
  await ctx.dev?.stop();
});

test('two pages open a WebRTC data channel and a video call through Switchboard and exchange a message', {
  timeout: 60_000, skip: inNamespace ? false : 'needs a loopback-only network namespace (run ./switchboard test as root)',
}, async () => {
  const room = `call${Date.now() % 100000}`;
  // One after the other, as two people open the page: Bob's snapshot holds Alice, Alice sees Bob join.
  const alice = await joinCall(ctx.browser, ctx.dev.origin, 'Alice', room);
  const bob = await joinCall(ctx.browser, ctx.dev.origin, 'Bob', room);
  await channelOpen(alice, 'Bob');
  await channelOpen(bob, 'Alice');
  await say(alice, bob, 'hello over WebRTC');
  await say(bob, alice, 'hi Alice');
  for (const me of [alice, bob]) {
    await me.page.waitForFunction(() => {
      const video = document.querySelector('#videos video');
      return video && video.srcObject && video.srcObject.getVideoTracks().length === 1 && video.readyState >= 2;
    }, null, { timeout: 20_000 });
  }
  await alice.page.screenshot({ path: path.join(RESULTS, 'call-alice.png') });
  await bob.page.screenshot({ path: path.join(RESULTS, 'call-bob.png') });
  assert.deepEqual([...alice.errors, ...bob.errors], [], 'no script errors');
  await alice.context.close();
  await bob.context.close();
});
