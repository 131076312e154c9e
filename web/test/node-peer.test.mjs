// MeteredPeer in Node with a real WebRTC stack (werift from npm as rtcPeerConnectionFactory, `ws` with its
// defaults): two Node peers open a data channel to each other, and a Node peer and the call page in Chromium do
// the same; the offer, answer and candidates travel only through Switchboard. Runs inside the loopback-only
// namespace, where werift and Chromium can only offer 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDev, launchChromium } from '../lib/browser.mjs';
import { joinNodePeer } from '../lib/node-peer.mjs';

const inNamespace = process.env.SWITCHBOARD_NETNS === '1';
const skip = inNamespace ? false : 'needs a loopback-only network namespace (run ./switchboard test as root)';
const ctx = { dev: null, browser: null };

before(async () => {
  if (skip) return;
  ctx.dev = await startDev();
  ctx.browser = await launchChromium(['--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns']);
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
  const context = await ctx.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${ctx.dev.origin}/call`);
  await page.fill('#name', 'Chromium');
  await page.fill('#room', room);
  await page.click('#join button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'In the call');
  const node = await joinNodePeer(ctx.dev.origin, 'Node', room);
  try {
    await node.opened('Chromium');
    await page.waitForFunction(() => [...document.querySelectorAll('#peers .peer.open')]
      .some((e) => e.textContent.startsWith('Node')), null, { timeout: 30_000 });
    node.send('from Node');
    await page.waitForFunction(() => [...document.querySelectorAll('#messages .text')]
      .some((e) => e.textContent === 'Node: from Node'));
    await page.fill('#text', 'from Chromium');
    await page.press('#text', 'Enter');
    await node.heard('Chromium: from Chromium');
    assert.deepEqual(errors, [], 'no script errors on the page');
  } finally {
    await node.close();
    await context.close();
  }
});
