// MeteredPeer smoke test without WebRTC: the SDK only constructs an
// RTCPeerConnection per remote peer (injected fake here) and never negotiates
// unless tracks/data channels are added. Exercises join → presence →
// peer-joined/peer-left and data over broadcast and direct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeteredPeerSendError } from '@metered-ca/realtime';
import { useServer, T, chan } from '../lib/harness.mjs';
import { rejection, within } from '../lib/client.mjs';

const ctx = useServer();

test('two MeteredPeers discover each other with metadata, exchange broadcast and direct data, and see peer-left', T, async () => {
  const ch = chan('call');
  const alice = ctx.pool.meteredPeer({ claims: { sub: 'mp-alice', peerMetadata: { name: 'Alice' } } });
  const bob = ctx.pool.meteredPeer({ claims: { sub: 'mp-bob', peerMetadata: { name: 'Bob' } } });

  await within(alice.peer.join(ch), 12_000, 'alice.join');
  assert.equal(alice.peer.state, 'joined');
  assert.equal(alice.peer.peerId, 'mp-alice');
  assert.equal(alice.peer.channel, ch);
  await alice.rec.waitFor('joined', (e) => e.peerId === 'mp-alice' && e.channel === ch);

  await within(bob.peer.join(ch), 12_000, 'bob.join');
  // Bob learns about Alice from his snapshot, Alice about Bob from the delta.
  const bj = await bob.rec.waitFor('peer-joined', (e) => e.peer.id === 'mp-alice');
  assert.deepEqual(bj.peer.metadata, { name: 'Alice' });
  const aj = await alice.rec.waitFor('peer-joined', (e) => e.peer.id === 'mp-bob');
  assert.deepEqual(aj.peer.metadata, { name: 'Bob' });
  assert.deepEqual(alice.peer.remotePeers.map((p) => p.id), ['mp-bob']);

  await bob.peer.sendTo('mp-alice', { hello: 'alice' });
  const direct = await alice.rec.waitFor('data', (e) => e.kind === 'direct');
  assert.equal(direct.senderPeerId, 'mp-bob');
  assert.deepEqual(direct.data, { hello: 'alice' });
  assert.deepEqual(direct.senderMetadata, { name: 'Bob' });

  await alice.peer.send({ hello: 'room' });
  const bcast = await bob.rec.waitFor('data', (e) => e.kind === 'broadcast');
  assert.equal(bcast.senderPeerId, 'mp-alice');
  assert.deepEqual(bcast.data, { hello: 'room' });
  assert.equal(alice.rec.all('data', (e) => e.kind === 'broadcast').length, 0);

  await within(bob.peer.close(), 5000, 'bob.close');
  const left = await alice.rec.waitFor('peer-left', (e) => e.peer.id === 'mp-bob');
  assert.equal(left.peer.id, 'mp-bob');
  assert.deepEqual(alice.peer.remotePeers, []);
  assert.equal(alice.rec.all('error').length, 0, `unexpected MeteredPeer errors: ${alice.rec.all('error').map((e) => e.err?.name)}`);
});

test('MeteredPeer.join refuses reserved channel prefixes client-side', T, async () => {
  const p = ctx.pool.meteredPeer({ claims: { sub: 'mp-reserved' } });
  const err = await rejection(p.peer.join('_metered/x'), 5000, 'join _metered/x');
  assert.ok(err instanceof MeteredPeerSendError);
  assert.equal(err.code, 'reserved_channel');
  assert.equal(p.wire.sockets.length, 0, 'no socket is opened for a reserved channel');
});
