// A call survives a network drop: Alice's page reaches Switchboard through a TCP proxy that freezes her socket
// half-open. Her SDK notices (its watchdog; the page's webSocketFactory reports the close at once instead of
// waiting out Chromium's 60 s closing handshake), reconnects with the same peerId before the server's keepalive
// reaps the old socket, and the room sees neither a `left` nor a `joined` (presence counts connections per
// peerId). The data channel carries messages while signalling is frozen and again after the SDK swapped in a
// fresh connection (connection-reset on Alice's side, a reopened channel on Bob's); when the old socket is
// finally reaped, Bob sees no `left` and lists Alice once. Runs inside the loopback-only namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDev } from '../lib/browser.mjs';
import { channelOpen, joinCall, launchCallChromium, say } from '../lib/call-page.mjs';
import { startFreezingProxy } from '../lib/freezing-proxy.mjs';

const inNamespace = process.env.SWITCHBOARD_NETNS === '1';
const skip = inNamespace ? false : 'needs a loopback-only network namespace (run ./switchboard test as root)';
const WATCHDOG_MS = 6000; // the call page's default
const ctx = { dev: null, browser: null, proxy: null };

before(async () => {
  if (skip) return;
  ctx.dev = await startDev();
  ctx.proxy = await startFreezingProxy(ctx.dev.port);
  ctx.browser = await launchCallChromium();
}, { timeout: 60_000 });

after(async () => {
  await ctx.browser?.close();
  await ctx.proxy?.close();
  await ctx.dev?.stop();
});

const events = (me) => me.page.evaluate(() => window.switchboardCall.events);

test('a frozen signalling socket: same peerId back, no left or joined, the data channel keeps working', {
  timeout: 150_000, skip,
}, async () => {
  const room = `drop${Date.now() % 100000}`;
  const alice = await joinCall(ctx.browser, `http://127.0.0.1:${ctx.proxy.port}`, 'Alice', room);
  const bob = await joinCall(ctx.browser, ctx.dev.origin, 'Bob', room);
  await channelOpen(alice, 'Bob');
  await channelOpen(bob, 'Alice');
  const bobBefore = (await events(bob)).length;

  const frozenAt = Date.now();
  assert.ok(ctx.proxy.freeze() >= 1, 'froze the open connections through the proxy');
  // The data channel is peer to peer: it carries messages while signalling is frozen.
  await say(alice, bob, 'while frozen', 5000);
  // Alice's SDK takes the socket for dead after its watchdog and reconnects through the proxy (a new TCP
  // connection) with a token for the same peerId.
  await alice.page.waitForFunction((t) => window.switchboardCall.events.some((e) => e.what === 'reconnecting' && e.at >= t),
    frozenAt, { timeout: 30_000 });
  await alice.page.waitForFunction((t) => window.switchboardCall.events.some((e) => e.what === 'joined' && e.at >= t),
    frozenAt, { timeout: 30_000 });
  const recoveredMs = (await events(alice)).findLast((e) => e.what === 'joined').at - frozenAt;
  console.log(`# signalling back ${recoveredMs} ms after the freeze (watchdog ${WATCHDOG_MS} ms)`);
  // The bound: the watchdog, then one backoff step (500 ms ± 20 %) and a handshake; well under the 10 s after
  // which the server's keepalive may reap a socket that went silent just before a ping.
  assert.ok(recoveredMs < WATCHDOG_MS + 2500, `back within the watchdog + 2.5 s, took ${recoveredMs} ms`);
  // The SDK swapped in a fresh connection on Alice's side; both channels open again on it.
  await channelOpen(alice, 'Bob', { timeout: 15_000 });
  await channelOpen(bob, 'Alice', { timeout: 15_000 });
  const channelBackMs = Date.now() - frozenAt;
  console.log(`# data channel open again ${channelBackMs} ms after the freeze`);
  assert.ok(channelBackMs < WATCHDOG_MS + 10_000, `data channel back within the watchdog + 10 s, took ${channelBackMs} ms`);
  await say(alice, bob, 'after the reconnect', 10_000);
  await say(bob, alice, 'Bob still here', 10_000);

  // The server reaps the frozen socket by keepalive; it must not announce Alice as gone.
  const stats = async () => (await fetch(`${ctx.dev.origin}/demo/stats`)).json();
  const deadline = Date.now() + 60_000;
  let connections;
  do {
    connections = (await stats()).usage.connections;
    if (connections === 2) break;
    await new Promise((r) => setTimeout(r, 500));
  } while (Date.now() < deadline);
  assert.equal(connections, 2, 'the keepalive reaped the frozen socket (Alice\'s new one and Bob\'s remain)');
  console.log(`# old socket reaped ${Date.now() - frozenAt} ms after the freeze`);
  await say(bob, alice, 'after the reaping', 10_000);
  const bobSaw = (await events(bob)).slice(bobBefore);
  assert.deepEqual(bobSaw.filter((e) => e.what.startsWith('peer-')), [], `Bob saw no presence change: ${JSON.stringify(bobSaw)}`);
  const roster = await bob.page.$$eval('#peers .peer', (els) => els.map((e) => e.textContent));
  assert.equal(roster.length, 1, `Bob lists Alice once: ${roster}`);
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});
