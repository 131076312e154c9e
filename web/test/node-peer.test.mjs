// MeteredPeer in Node with a real WebRTC stack (werift from npm as rtcPeerConnectionFactory, `ws` with its
// defaults): two Node peers open a data channel to each other, and a Node peer and the call page in Chromium do
// the same; the offer, answer and candidates travel only through Switchboard. Runs inside the loopback-only
// namespace, where werift and Chromium can only offer 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDev } from '../lib/browser.mjs';
import { channelOpen, joinCall, launchCallChromium } from '../lib/call-page.mjs';
import { joinNodePeer } from '../lib/node-peer.mjs';

const inNamespace = process.env.SWITCHBOARD_NETNS === '1';
const skip = inNamespace ? false : 'needs a loopback-only network namespace (run ./switchboard test as root)';
const ctx = { dev: null, browser: null };

before(async () => {
  if (skip) return;
  ctx.dev = await startDev();
  ctx.browser = await launchCallChromium(); // camera permission: Chromium offers its loopback candidate too
}, { timeout: 60_000 });

after(async () => {
  await ctx.browser?.close();
  await ctx.dev?.stop();
});

test('two MeteredPeers in Node open a data channel through Switchboard', { timeout: 60_000, skip }, async () => {
  const room = `node${Date.now() % 100000}`;
  const ada = await joinNodePeer(ctx.dev.origin, 'Ada', room);
  const bo = await joinNodePeer(ctx.dev.origin, 'Bo', room);
  try {
    await ada.opened('Bo');
    await bo.opened('Ada');
    ada.send('hello from Ada');
    bo.send('hello from Bo');
    await bo.heard('Ada: hello from Ada');
    await ada.heard('Bo: hello from Bo');
  } finally {
    await ada.close();
    await bo.close();
  }
});

test('a MeteredPeer in Node and the call page in Chromium open a data channel both ways', { timeout: 60_000, skip }, async () => {
  const room = `mixed${Date.now() % 100000}`;
  const chromium = await joinCall(ctx.browser, ctx.dev.origin, 'Chromium', room);
  const node = await joinNodePeer(ctx.dev.origin, 'Node', room);
  try {
    await channelOpen(chromium, 'Node');
    await node.opened('Chromium');
    node.send('from Node');
    await chromium.page.waitForFunction(() => [...document.querySelectorAll('#messages .text')]
      .some((e) => e.textContent === 'Node: from Node'));
    await chromium.page.fill('#text', 'from Chromium');
    await chromium.page.press('#text', 'Enter');
    await node.heard('Chromium: from Chromium');
    assert.deepEqual(chromium.errors, [], 'no script errors on the page');
  } finally {
    await node.close();
    await chromium.context.close();
  }
});
