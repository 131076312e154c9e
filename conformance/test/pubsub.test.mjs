// Channel publish / subscribe delivery (protocol.md §4.1–4.3, §5.3, §8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, T, chan } from '../lib/harness.mjs';
import { sleep } from '../lib/client.mjs';

const ctx = useServer();
const QUIET_MS = 400;

test('a subscriber receives a publish with the concrete channel, the publisher peerId as from, and the data', T, async () => {
  const ch = chan('pub');
  const sub = await ctx.pool.jwt({ sub: 'pub-bob' });
  const pub = await ctx.pool.pk();
  await sub.client.subscribe(ch);
  await pub.client.publish(ch, { text: 'hi', n: 1 });
  const m = await sub.rec.waitFor('message', (e) => e.channel === ch);
  assert.equal(m.from, pub.peerId);
  assert.deepEqual(m.data, { text: 'hi', n: 1 });
  assert.equal(m.fromMetadata, undefined);
});

test('publish is not echoed to the publishing connection', T, async () => {
  const ch = chan('echo');
  const a = await ctx.pool.pk();
  const b = await ctx.pool.pk();
  await a.client.subscribe(ch);
  await b.client.subscribe(ch);
  await a.client.publish(ch, 'from-a');
  await b.rec.waitFor('message', (e) => e.channel === ch && e.data === 'from-a');
  await sleep(QUIET_MS);
  assert.equal(a.rec.all('message', (e) => e.channel === ch).length, 0, 'the publisher must not receive its own message');
  assert.equal(a.wire.inbound('message').length, 0);
});

test('a second connection of the same peer does receive the publish', T, async () => {
  const ch = chan('tabs');
  const tab1 = await ctx.pool.jwt({ sub: 'pub-alice' });
  const tab2 = await ctx.pool.jwt({ sub: 'pub-alice' });
  await tab1.client.subscribe(ch);
  await tab2.client.subscribe(ch);
  await tab1.client.publish(ch, { from: 'tab1' });
  const m = await tab2.rec.waitFor('message', (e) => e.channel === ch);
  assert.equal(m.from, 'pub-alice');
  assert.deepEqual(m.data, { from: 'tab1' });
  await sleep(QUIET_MS);
  assert.equal(tab1.rec.all('message').length, 0, 'the publishing connection itself must not get an echo');
});

test('includeSenderMetadata adds fromMetadata only for the subscriber that opted in', T, async () => {
  const ch = chan('meta');
  const peerMetadata = { username: 'Alice', avatar: 'https://example.org/a.png' };
  const pub = await ctx.pool.jwt({ sub: 'pub-meta-alice', peerMetadata });
  const optedIn = await ctx.pool.pk();
  const plain = await ctx.pool.pk();
  await optedIn.client.subscribe(ch, { includeSenderMetadata: true });
  await plain.client.subscribe(ch);
  await pub.client.publish(ch, { text: 'hello' });
  const m1 = await optedIn.rec.waitFor('message', (e) => e.channel === ch);
  const m2 = await plain.rec.waitFor('message', (e) => e.channel === ch);
  assert.equal(m1.from, 'pub-meta-alice');
  assert.deepEqual(m1.fromMetadata, peerMetadata);
  assert.equal(m2.from, 'pub-meta-alice');
  assert.equal(m2.fromMetadata, undefined);
  const raw2 = plain.wire.inbound('message').find((f) => f.channel === ch);
  assert.ok(!('fromMetadata' in raw2), `fromMetadata must be omitted for a subscriber that did not opt in: ${JSON.stringify(raw2)}`);
});

test('a publisher without peerMetadata yields no fromMetadata even for opted-in subscribers', T, async () => {
  const ch = chan('nometa');
  const pub = await ctx.pool.pk();
  const sub = await ctx.pool.pk();
  await sub.client.subscribe(ch, { includeSenderMetadata: true });
  await pub.client.publish(ch, 1);
  await sub.rec.waitFor('message', (e) => e.channel === ch);
  const raw = sub.wire.inbound('message').find((f) => f.channel === ch);
  assert.ok(!('fromMetadata' in raw), `unexpected fromMetadata: ${JSON.stringify(raw)}`);
});

test('null, numbers, strings, arrays and nested objects are delivered as-is', T, async () => {
  const ch = chan('data');
  const pub = await ctx.pool.pk();
  const sub = await ctx.pool.pk();
  await sub.client.subscribe(ch);
  const payloads = [null, 0, -1.5, 'text', '', true, false, [], [1, 'two', null], {}, { a: { b: [{ c: 'ü✓' }] } }];
  for (const p of payloads) await pub.client.publish(ch, p);
  const deadline = Date.now() + 5000;
  while (sub.rec.all('message', (e) => e.channel === ch).length < payloads.length && Date.now() < deadline) await sleep(20);
  const got = sub.rec.all('message', (e) => e.channel === ch).map((e) => e.data);
  assert.deepEqual(got, payloads, 'payloads must arrive in publish order and unchanged');
  const raws = sub.wire.inbound('message').filter((f) => f.channel === ch);
  assert.ok('data' in raws[0] && raws[0].data === null, 'message.data must be present when it is null');
});

test('the publisher does not need to be subscribed, and every subscriber receives one copy', T, async () => {
  const ch = chan('fanout');
  const pub = await ctx.pool.pk();
  const subs = [await ctx.pool.pk(), await ctx.pool.pk(), await ctx.pool.jwt({ sub: 'pub-fan' })];
  for (const s of subs) await s.client.subscribe(ch);
  await pub.client.publish(ch, 'fan');
  for (const s of subs) await s.rec.waitFor('message', (e) => e.channel === ch && e.data === 'fan');
  await sleep(QUIET_MS);
  for (const s of subs) assert.equal(s.rec.all('message', (e) => e.channel === ch).length, 1);
});

test('unsubscribe stops delivery after its ack', T, async () => {
  const ch = chan('unsub');
  const pub = await ctx.pool.pk();
  const sub = await ctx.pool.pk();
  await sub.client.subscribe(ch);
  await sub.client.unsubscribe(ch);
  await pub.client.publish(ch, 'after-unsub');
  await sleep(QUIET_MS);
  assert.equal(sub.rec.all('message', (e) => e.channel === ch).length, 0);
});

test('unsubscribing a channel that was never subscribed is acked', T, async () => {
  const c = await ctx.pool.pk();
  await c.client.unsubscribe(chan('never'));
});

test('messages are not delivered to subscribers of a different channel', T, async () => {
  const ch = chan('iso');
  const pub = await ctx.pool.pk();
  const other = await ctx.pool.pk();
  const sub = await ctx.pool.pk();
  await other.client.subscribe(`${ch}-other`);
  await sub.client.subscribe(ch);
  await pub.client.publish(ch, 'x');
  await sub.rec.waitFor('message', (e) => e.channel === ch);
  await sleep(QUIET_MS);
  assert.equal(other.rec.all('message').length, 0);
});

test('a wildcard subscription receives messages of matching concrete channels with the concrete name', T, async () => {
  const base = chan('devices');
  const pub = await ctx.pool.pk();
  const sub = await ctx.pool.pk();
  await sub.client.subscribe(`${base}/*/events`);
  await pub.client.publish(`${base}/cam7/events`, { t: 1 });
  await pub.client.publish(`${base}/cam7/deep/events`, { t: 2 });
  const m = await sub.rec.waitFor('message', (e) => e.data?.t === 1);
  assert.equal(m.channel, `${base}/cam7/events`);
  await sleep(QUIET_MS);
  assert.equal(sub.rec.all('message', (e) => e.data?.t === 2).length, 0, '"*" must not match across "/"');
});
