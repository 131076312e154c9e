// Every close code reaches an SDK client that is still sending (the closing
// handshake): the server half-closes after its Close frame and reads until the
// client's Close, so no reset discards that frame and the SDK never mistakes a
// rate-limit or a kick for a network drop (1006) and reconnects. Each case is
// repeated; the default `ws` options are used, as a new user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { useServer, T, chan } from '../lib/harness.mjs';
import { KEYS } from '../lib/fixtures.mjs';
import { within } from '../lib/client.mjs';

const ctx = useServer(); // the documented default bucket: burst 200, 100 tokens/s
const TRIES = 10;
/** A `ws` factory with the library's defaults that counts the sockets it opened. */
function plainWs() {
  const sockets = [];
  return { sockets, webSocketFactory: (url) => { const ws = new WebSocket(url); sockets.push(ws); return ws; } };
}

test('a client flooding subscribes is closed with 4011, never 1006, in every try', { timeout: 60_000 }, async () => {
  const codes = [];
  for (let i = 0; i < TRIES; i++) {
    const c = await ctx.pool.pk(KEYS.pk, { webSocketFactory: plainWs().webSocketFactory, reconnect: false });
    const ch = chan('flood');
    const pending = Array.from({ length: 400 }, (_, n) => c.client.subscribe(`${ch}-${n % 90}`).catch(() => {}));
    const d = await c.rec.waitFor('disconnected', () => true, { timeout: 10_000, what: 'close after the flood' });
    codes.push(d.code);
    await Promise.allSettled(pending);
  }
  assert.deepEqual(codes, Array(TRIES).fill(4011));
});

test('a kicked client that keeps publishing sees 4020 and does not reconnect, in every try', { timeout: 60_000 }, async () => {
  const codes = [];
  for (let i = 0; i < TRIES; i++) {
    const sub = `clean-kick-${i}`;
    const factory = plainWs();
    const c = await ctx.pool.jwt({ sub }, { webSocketFactory: factory.webSocketFactory });
    const ch = chan('kick');
    let publishing = true;
    const publisher = (async () => {
      for (let n = 0; publishing && n < 150; n++) {
        await Promise.race([c.client.publish(ch, n).catch(() => {}), new Promise((r) => setImmediate(r))]);
      }
    })();
    const res = await within(fetch(`${ctx.server.httpUrl}/v1/peers/${sub}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${KEYS.sk.kid}:${KEYS.sk.secret}` },
    }), 5000, 'DELETE /v1/peers');
    assert.equal(res.status, 200, await res.text());
    const d = await c.rec.waitFor('disconnected', () => true, { timeout: 10_000, what: '4020 close' });
    publishing = false;
    await publisher;
    codes.push(d.code);
    assert.equal(d.willReconnect, false, '4020 is terminal');
    assert.equal(factory.sockets.length, 1, 'no reconnect attempt after 4020');
  }
  assert.deepEqual(codes, Array(TRIES).fill(4020));
});
