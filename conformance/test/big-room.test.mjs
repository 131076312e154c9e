// A big room does not break subscribe (protocol.md §7.4): with 300 members of
// ~3.9 KB peerMetadata each the member list is ~1.2 MB, over the official
// SDK's 1 MiB inbound cap, which used to make it close with 1009 and give up.
// The server splits the snapshot into several presence frames under the cap;
// the SDK stays connected and learns every member.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { useServer, chan } from '../lib/harness.mjs';
import { signToken } from '../lib/fixtures.mjs';
import { within } from '../lib/client.mjs';

const ctx = useServer();
const MEMBERS = 300;

/** A raw member: connects with a JWT carrying `bytes` of peerMetadata and subscribes; resolves once acked. */
function member(i, channel, bytes) {
  const token = signToken({ sub: `big-${i}`, peerMetadata: { bio: 'x'.repeat(bytes) } });
  const ws = new WebSocket(`${ctx.server.url}/v1?token=${encodeURIComponent(token)}`);
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'welcome') ws.send(JSON.stringify({ type: 'subscribe', channel, requestId: 's' }));
      if (frame.type === 'ack') resolve(ws);
    });
  });
}

test('a room whose member list is over 1 MiB reaches the SDK as several presence frames, never 1009', { timeout: 60_000 }, async () => {
  const ch = chan('big');
  const members = [];
  for (let i = 0; i < MEMBERS; i += 50) {
    members.push(...(await within(Promise.all(Array.from({ length: 50 }, (_, k) => member(i + k, ch, 3900))),
      20_000, 'members joining')));
  }
  try {
    const c = await ctx.pool.pk();
    await c.client.subscribe(ch);
    const seen = new Set();
    await c.rec.waitFor('presence', (e) => {
      if (e.channel === ch) for (const p of e.joined) seen.add(p.peerId);
      return seen.size === MEMBERS;
    }, { timeout: 15_000, what: `all ${MEMBERS} members` });
    const frames = c.wire.inbound('presence').filter((f) => f.channel === ch);
    assert.ok(frames.length >= 2, `the snapshot was split (${frames.length} frames)`);
    for (const f of c.wire.frames.filter((x) => x.dir === 'in')) {
      assert.ok(f.raw.length <= 1_048_576, `inbound frame of ${f.raw.length} UTF-16 units`);
    }
    assert.equal(c.rec.all('disconnected').length, 0, 'no close');
    assert.equal(c.client.state, 'connected');
    assert.equal(frames[0].joined[0].metadata.bio.length, 3900, 'metadata intact');
  } finally {
    for (const ws of members) ws.terminate();
  }
});
