// Scope and permission errors surface as rejected promises whose err.name is
// the server's error code (protocol.md §4, §14; auth.md §4, §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, T, chan } from '../lib/harness.mjs';
import { KEYS } from '../lib/fixtures.mjs';
import { rejection } from '../lib/client.mjs';

const ctx = useServer();

test('subscribe outside the key channelPatterns rejects with channel_not_authorized and the connection stays open', T, async () => {
  const c = await ctx.pool.pk(KEYS.pkRooms); // channelPatterns ["room-*"]
  const err = await rejection(c.client.subscribe('admin-1'), 5000, 'subscribe admin-1');
  assert.equal(err.name, 'channel_not_authorized');
  assert.equal(c.client.state, 'connected');
  await c.client.subscribe('room-42');
  assert.equal(c.rec.all('disconnected').length, 0);
});

test('publish outside the key channelPatterns rejects with channel_not_authorized', T, async () => {
  const c = await ctx.pool.pk(KEYS.pkRooms);
  const err = await rejection(c.client.publish('admin-1', { x: 1 }), 5000, 'publish admin-1');
  assert.equal(err.name, 'channel_not_authorized');
  await c.client.publish('room-1', { x: 1 });
});

test('"room-*" does not match across "/"', T, async () => {
  const c = await ctx.pool.pk(KEYS.pkRooms);
  const err = await rejection(c.client.subscribe('room-1/sub'), 5000, 'subscribe room-1/sub');
  assert.equal(err.name, 'channel_not_authorized');
});

test('the JWT channels claim narrows the key patterns', T, async () => {
  const c = await ctx.pool.jwt({ sub: 'authz-narrow', channels: ['team/**', 'lobby'] });
  await c.client.subscribe('team/a/b');
  await c.client.subscribe('lobby');
  const err = await rejection(c.client.subscribe('elsewhere'), 5000, 'subscribe elsewhere');
  assert.equal(err.name, 'channel_not_authorized');
  const err2 = await rejection(c.client.publish('lobby2', 1), 5000, 'publish lobby2');
  assert.equal(err2.name, 'channel_not_authorized');
});

test('token permissions without publish make publish reject with action_not_permitted', T, async () => {
  const c = await ctx.pool.jwt({ sub: 'authz-nopub', permissions: ['subscribe', 'presence'] });
  const ch = chan('nopub');
  await c.client.subscribe(ch);
  const err = await rejection(c.client.publish(ch, { x: 1 }), 5000, 'publish without permission');
  assert.equal(err.name, 'action_not_permitted');
  assert.equal(c.client.state, 'connected');
});

test('token permissions without subscribe make subscribe reject with action_not_permitted', T, async () => {
  const c = await ctx.pool.jwt({ sub: 'authz-nosub', permissions: ['publish'] });
  const err = await rejection(c.client.subscribe(chan('nosub')), 5000, 'subscribe without permission');
  assert.equal(err.name, 'action_not_permitted');
  await c.client.publish(chan('nosub'), 'still allowed');
});

test('token permissions without send make send reject with action_not_permitted', T, async () => {
  const target = await ctx.pool.pk();
  const c = await ctx.pool.jwt({ sub: 'authz-nosend', permissions: ['subscribe', 'publish', 'presence'] });
  const err = await rejection(c.client.send(target.peerId, 'x'), 5000, 'send without permission');
  assert.equal(err.name, 'action_not_permitted');
});

test('a publishable key without the send action cannot send', T, async () => {
  const target = await ctx.pool.pk();
  const c = await ctx.pool.pk(KEYS.pkNoSend);
  const err = await rejection(c.client.send(target.peerId, 'x'), 5000, 'send with no-send key');
  assert.equal(err.name, 'action_not_permitted');
});

test('unknown action names in the permissions claim are ignored and grant nothing', T, async () => {
  const j = await ctx.pool.jwt({ sub: 'authz-unknown', permissions: ['subscribe', 'teleport'] });
  const err = await rejection(j.client.publish(chan('x'), 1), 5000, 'publish with unknown-only perms');
  assert.equal(err.name, 'action_not_permitted');
});

test('subscribe to a reserved _metered/ channel rejects with channel_reserved (SignallingClient does not pre-check it)', T, async () => {
  const c = await ctx.pool.pk(); // key pattern "**" would otherwise match
  const err = await rejection(c.client.subscribe('_metered/x'), 5000, 'subscribe _metered/x');
  assert.equal(err.name, 'channel_reserved');
  // The frame really went to the server.
  assert.ok(c.wire.outbound('subscribe').some((f) => f.channel === '_metered/x'));
});

test('reserved prefixes are matched case-insensitively for publish', T, async () => {
  const c = await ctx.pool.pk();
  for (const ch of ['_METERED/x', '_internal/y', '_System/z']) {
    const err = await rejection(c.client.publish(ch, 1), 5000, `publish ${ch}`);
    assert.equal(err.name, 'channel_reserved', `publish to ${ch}`);
  }
});

test('a channel that merely contains a reserved word is ordinary', T, async () => {
  const c = await ctx.pool.pk();
  await c.client.subscribe('x_metered/y');
  await c.client.subscribe('_metered');
});

test('a connection may hold 100 subscriptions; the 101st distinct one rejects with channel_limit_exceeded', { timeout: 60_000 }, async () => {
  const c = await ctx.pool.pk();
  const base = chan('many');
  for (let i = 0; i < 100; i++) await c.client.subscribe(`${base}-${i}`);
  const err = await rejection(c.client.subscribe(`${base}-100`), 5000, '101st subscribe');
  assert.equal(err.name, 'channel_limit_exceeded');
  // Re-subscribing an existing channel does not count again.
  await c.client.subscribe(`${base}-7`);
  // Unsubscribing frees a slot.
  await c.client.unsubscribe(`${base}-0`);
  await c.client.subscribe(`${base}-100`);
  assert.equal(c.client.state, 'connected');
});
