// MeteredPeer in Node sees the peers already in the room (issue: 0 of 20
// joins did, before the server's pong barrier). MeteredPeer.join records its
// channel in the continuation of `await client.subscribe()`; `ws` with its
// defaults emits every frame of one TCP read in one tick, before that
// continuation runs, so a snapshot read together with the ack was dropped as
// belonging to another channel. The server now releases the snapshot only
// after the pong of a ping written behind the ack (docs/decisions.md D9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { MeteredPeer } from '@metered-ca/realtime';
import { useServer, chan } from '../lib/harness.mjs';
import { FakeRTCPeerConnection, Recorder, within } from '../lib/client.mjs';
import { signToken } from '../lib/fixtures.mjs';

const ctx = useServer();
const JOINS = 50;
const LONG = { timeout: 120_000 };

/**
 * A MeteredPeer built exactly as the SDK's README shows for Node: `ws` with its defaults. `sockets` lists the
 * sockets it opened, one per connection attempt.
 */
function plainPeer(sub) {
  const sockets = [];
  const peer = new MeteredPeer({
    url: ctx.server.url,
    webSocketFactory: (url) => { const ws = new WebSocket(url); sockets.push(ws); return ws; },
    rtcPeerConnectionFactory: () => new FakeRTCPeerConnection(),
    tokenProvider: async () => signToken({ sub }),
  });
  const rec = new Recorder(peer, ['peer-joined', 'peer-left', 'state-change', 'error']);
  return { peer, rec, sockets };
}

/** Keeps the event loop busy: every macrotask turn spends `ms` of CPU. */
function busyLoop(ms) {
  const timer = setInterval(() => {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* spin */ }
  }, 0);
  return () => clearInterval(timer);
}

async function joinsThatSeeTheRoom(label) {
  const ch = chan('mp-room');
  const hosts = [plainPeer(`${label}-host-a`), plainPeer(`${label}-host-b`)];
  for (const h of hosts) await within(h.peer.join(ch), 10_000, 'host join');
  const expected = hosts.map((h) => h.peer.peerId).sort();
  let saw = 0;
  const misses = [];
  try {
    for (let i = 0; i < JOINS && misses.length < 3; i++) {
      const j = plainPeer(`${label}-joiner-${i}`);
      try {
        await within(j.peer.join(ch), 10_000, `join ${i}`);
        // The snapshot follows the ack within one round trip; 3 s is generous.
        await Promise.all(expected.map((id) => j.rec.waitFor('peer-joined', (e) => e.peer.id === id, { timeout: 3000 })));
        assert.deepEqual(j.peer.remotePeers.map((p) => p.id).sort(), expected);
        assert.equal(j.rec.all('error').length, 0);
        saw++;
      } catch (err) {
        misses.push(`join ${i}: ${err.message}; saw [${j.peer.remotePeers.map((p) => p.id)}]`);
      } finally {
        await within(j.peer.close(), 5000, 'joiner close').catch(() => {});
      }
    }
  } finally {
    for (const h of hosts) await within(h.peer.close(), 5000, 'host close').catch(() => {});
  }
  assert.equal(saw, JOINS, `${saw} of ${JOINS} joins saw every existing peer:\n${misses.join('\n')}`);
}

test(`MeteredPeer with ws defaults sees every existing peer in ${JOINS} of ${JOINS} joins`, LONG, async () => {
  await joinsThatSeeTheRoom('idle');
});

test(`... and in ${JOINS} of ${JOINS} joins while the client's event loop is kept busy`, LONG, async () => {
  const stop = busyLoop(15);
  try {
    await joinsThatSeeTheRoom('busy');
  } finally {
    stop();
  }
});

test('a raw ws client still reads the ack before the snapshot, and a delta of the window after it', LONG, async () => {
  const ch = chan('mp-order');
  const host = plainPeer('order-host');
  await within(host.peer.join(ch), 10_000, 'host join');
  const token = await signToken({ sub: 'order-raw' });
  const ws = new WebSocket(`${ctx.server.url}/v1?token=${token}`);
  const frames = [];
  let pings = 0;
  ws.on('ping', () => pings++);
  ws.on('message', (data) => frames.push(JSON.parse(data)));
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const until = async (pred, what) => {
    const end = Date.now() + 5000;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(frames)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until(() => frames.some((f) => f.type === 'welcome'), 'welcome');
  ws.send(JSON.stringify({ type: 'subscribe', channel: ch, requestId: 'r1' }));
  // A third peer joins while the raw client's snapshot may still wait for its pong.
  const late = plainPeer('order-late');
  await within(late.peer.join(ch), 10_000, 'late join');
  await until(() => frames.some((f) => f.type === 'presence' && f.joined.some((p) => p.peerId === 'order-late')), 'late delta or snapshot');
  const kinds = frames.filter((f) => f.type !== 'welcome').map((f) => f.type === 'presence'
    ? `presence ${f.joined.map((p) => p.peerId).sort().join(',')}` : f.type);
  assert.equal(kinds[0], 'ack');
  assert.match(kinds[1], /^presence order-host/, 'the snapshot comes right after the ack');
  if (!kinds[1].includes('order-late')) {
    assert.equal(kinds[2], 'presence order-late', 'a join after the snapshot arrives as a delta after it');
  }
  assert.ok(pings >= 1, 'the snapshot waited for a ping');
  ws.close();
  await within(late.peer.close(), 5000, 'late close');
  await within(host.peer.close(), 5000, 'host close');
});

test('after a reconnect, MeteredPeer reconciles against the snapshot with ws defaults', LONG, async () => {
  const ch = chan('mp-reconcile');
  const host = plainPeer('rec-host');
  await within(host.peer.join(ch), 10_000, 'host join');
  const { peer, rec, sockets } = plainPeer('rec-joiner');
  try {
    await within(peer.join(ch), 10_000, 'join');
    await rec.waitFor('peer-joined', (e) => e.peer.id === 'rec-host');
    const stop = busyLoop(15);
    try {
      const since = rec.mark();
      sockets[0].terminate(); // the network drops: no close frame, the SDK reconnects
      await rec.waitFor('state-change', (e) => e.to === 'reconnecting', { timeout: 10_000, since, what: 'reconnecting' });
      await rec.waitFor('state-change', (e) => e.to === 'joined', { timeout: 15_000, since, what: 'joined again' });
    } finally {
      stop();
    }
    assert.equal(sockets.length, 2);
    assert.deepEqual(peer.remotePeers.map((p) => p.id), ['rec-host']);
    assert.equal(rec.all('peer-left').length, 0, 'the survivor is kept, not left and joined again');
    assert.equal(rec.all('error').length, 0, `errors: ${rec.all('error').map((e) => e?.err?.name ?? e?.name)}`);
  } finally {
    await within(peer.close(), 5000, 'close').catch(() => {});
    await within(host.peer.close(), 5000, 'host close').catch(() => {});
  }
});
