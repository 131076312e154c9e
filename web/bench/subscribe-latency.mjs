// What the snapshot's pong barrier (decisions.md D9) adds to a subscribe: the time from sending `subscribe` to
// its `ack`, and to the presence snapshot that now waits for the pong of a ping written behind the ack. A raw
// `ws` client with its defaults (which answers pings as it reads them), against `switchboard dev` on loopback.
// A benchmark, not a test: it measures and reports.
//
//   npm run bench:subscribe [-- --rounds 1000 --members 3]
import WebSocket from 'ws';
import { startDev } from '../lib/browser.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}
const rounds = arg('rounds', 1000);
const members = arg('members', 3);

const open = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  ws.once('message', () => resolve(ws)); // the welcome
  ws.once('error', reject);
});

const dev = await startDev();
try {
  const { token } = await (await fetch(`${dev.origin}/demo/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', avatar: '⏱', role: 'student' }),
  })).json();
  const url = `ws://127.0.0.1:${dev.port}/v1?token=${token}`;
  const room = `classroom/latency-${Date.now()}`; // the demo tokens grant classroom/**
  const others = [];
  for (let i = 0; i < members; i++) {
    const ws = await open(url.replace(token, (await (await fetch(`${dev.origin}/demo/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `m${i}`, avatar: '⏱', role: 'student' }),
    })).json()).token));
    ws.send(JSON.stringify({ type: 'subscribe', channel: room, requestId: 'm' }));
    others.push(ws);
  }
  const ws = await open(url);
  const toAck = [];
  const toSnapshot = [];
  for (let i = 0; i < rounds; i++) {
    // Two frames a round: stay under the dev app's per-connection rate limit (100/s), or the socket is closed 4011.
    await new Promise((r) => setTimeout(r, 25));
    const started = process.hrtime.bigint();
    let acked = 0n;
    await new Promise((resolve, reject) => {
      const onMessage = (data) => {
        const frame = JSON.parse(data);
        if (frame.type === 'error') reject(new Error(`subscribe refused: ${data}`));
        if (frame.type === 'ack' && frame.requestId === `s${i}`) acked = process.hrtime.bigint();
        if (frame.type === 'presence' && frame.channel === room && acked) {
          toAck.push(Number(acked - started) / 1e6);
          toSnapshot.push(Number(process.hrtime.bigint() - started) / 1e6);
          ws.off('message', onMessage);
          resolve();
        }
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ type: 'subscribe', channel: room, requestId: `s${i}` }));
    });
    await new Promise((resolve) => {
      const onMessage = (data) => { if (JSON.parse(data).requestId === `u${i}`) { ws.off('message', onMessage); resolve(); } };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ type: 'unsubscribe', channel: room, requestId: `u${i}` }));
    });
  }
  const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(3);
  const gap = toSnapshot.map((s, i) => s - toAck[i]);
  console.log(`subscribe to a room of ${members} on loopback, ${rounds} rounds (ms): ` +
    `ack p50 ${q(toAck, 0.5)} p99 ${q(toAck, 0.99)}; snapshot p50 ${q(toSnapshot, 0.5)} p99 ${q(toSnapshot, 0.99)}; ` +
    `snapshot after ack p50 ${q(gap, 0.5)} p99 ${q(gap, 0.99)}`);
  for (const o of [...others, ws]) o.close();
} finally {
  await dev.stop();
}
