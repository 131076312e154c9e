// The WebRTC call page in two headless Chromium contexts: both join a room through MeteredPeer, the offer, answer
// and ICE candidates travel only through Switchboard, a data channel opens and carries a message each way, and
// each side plays the other's (fake) camera.
// WebRTC gathers candidates on every interface, so this test runs only inside a network namespace that has
// nothing but loopback (./switchboard test makes one when it runs as root; SWITCHBOARD_NETNS=1 says so).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startDev, launchChromium, RESULTS } from '../lib/browser.mjs';

const inNamespace = process.env.SWITCHBOARD_NETNS === '1';
const ctx = { dev: null, browser: null };

before(async () => {
  if (!inNamespace) return;
  ctx.dev = await startDev();
  // A fake camera (auto-accepted): the video path runs too, and a page with media permission may use its
  // interfaces' addresses as ICE candidates, here 127.0.0.1 only.
  ctx.browser = await launchChromium(['--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns', '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream']);
}, { timeout: 60_000 });

after(async () => {
  await ctx.browser?.close();
  await ctx.dev?.stop();
});

async function joinCall(name, room) {
  const context = await ctx.browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${ctx.dev.origin}/call`);
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.click('#join button[type=submit]');
  return { context, page, errors };
}

test('two pages open a WebRTC data channel and a video call through Switchboard and exchange a message', {
  timeout: 60_000, skip: inNamespace ? false : 'needs a loopback-only network namespace (run ./switchboard test as root)',
}, async () => {
  const room = `call${Date.now() % 100000}`;
  // One after the other, as two people open the page: Bob's snapshot holds Alice, Alice sees Bob join.
  const alice = await joinCall('Alice', room);
  await alice.page.waitForFunction(() => document.querySelector('#status').textContent === 'In the call');
  const bob = await joinCall('Bob', room);
  for (const [me, other] of [[alice, 'Bob'], [bob, 'Alice']]) {
    await me.page.waitForFunction((n) => [...document.querySelectorAll('#peers .peer.open')]
      .some((e) => e.textContent.startsWith(n)), other, { timeout: 30_000 }).catch(async (err) => {
      // Say where the connection stopped: signalling, ICE or the data channel.
      const pcs = await me.page.evaluate(() => [...window.switchboardCall.pcs.values()].map((pc) =>
        `${pc.signalingState}/${pc.iceConnectionState}/${pc.connectionState}`));
      throw new Error(`${err.message}; peers: ${await me.page.$eval('#peers', (e) => e.textContent)}; pcs: ${pcs}`);
    });
  }
  await alice.page.fill('#text', 'hello over WebRTC');
  await alice.page.press('#text', 'Enter');
  await bob.page.waitForFunction(() => [...document.querySelectorAll('#messages .text')]
    .some((e) => e.textContent === 'Alice: hello over WebRTC'));
  await bob.page.fill('#text', 'hi Alice');
  await bob.page.press('#text', 'Enter');
  await alice.page.waitForFunction(() => [...document.querySelectorAll('#messages .text')]
    .some((e) => e.textContent === 'Bob: hi Alice'));
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
