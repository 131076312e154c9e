// How large a full mesh of MeteredPeers joins with the default per-connection rate limit (100/s, burst 200) and
// no 4011 from trickled ICE candidates. A benchmark, not a test: it measures and reports.
//
//   npm run bench:mesh [-- --sizes 4,8,16,24 --timeout 90]   (as root: it runs in a loopback-only namespace)
//
// Peers are the official SDK's MeteredPeer in Node with werift as the WebRTC stack (lib/node-peer.mjs), with
// TURN on: Switchboard injects credentials for a local coturn, so every connection gathers host and relay
// candidates and trickles both. For each size a fresh room is joined one peer after another (each join waits for
// the SDK's "joined"), then the run waits until every peer has an open data channel to every other. Reported per
// size: whether the mesh completed, the time from the first join to the last channel, 4011 closes, and the most
// signalling frames one connection sent in any one second and in all (what the rate limit counts).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startDev } from '../lib/browser.mjs';
import { devConfigWithTurn, startCoturn } from '../lib/coturn.mjs';
import { joinNodePeer } from '../lib/node-peer.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}

if (process.env.SWITCHBOARD_NETNS !== '1') {
  // Re-run inside a network namespace with nothing but loopback, so no candidate names another interface.
  if (process.getuid?.() !== 0) {
    console.error('bench:mesh needs root, to run inside a loopback-only network namespace');
    process.exit(2);
  }
  const ns = `switchboard-mesh-${process.pid}`;
  spawnSync('ip', ['netns', 'add', ns], { stdio: 'inherit' });
  spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'inherit' });
  const run = spawnSync('ip', ['netns', 'exec', ns, 'env', 'SWITCHBOARD_NETNS=1', process.execPath, ...process.argv.slice(1)],
    { stdio: 'inherit' });
  spawnSync('ip', ['netns', 'delete', ns], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const sizes = arg('sizes', '4,8,12,16,20,24').split(',').map(Number);
const timeoutMs = Number(arg('timeout', 90)) * 1000;
const secret = randomBytes(24).toString('hex');
const turnPort = 3488;
const turn = await startCoturn({ secret, port: turnPort });
const dev = await startDev({ config: devConfigWithTurn(secret, turnPort) });
const rows = [];
try {
  for (const n of sizes) {
    const room = `mesh${n}-${Date.now() % 100000}`;
    const peers = [];
    const closes = [];
    const started = Date.now();
    let complete = false;
    try {
      for (let i = 0; i < n; i++) {
        const p = await joinNodePeer(dev.origin, `p${i}`, room, { count: true });
        p.peer.client.on('disconnected', ({ code }) => closes.push(code));
        peers.push(p);
      }
      await Promise.all(peers.flatMap((p) => peers.filter((q) => q !== p).map((q) => p.opened(q.name, timeoutMs))));
      complete = true;
    } catch (err) {
      console.error(`# ${n} peers: ${err.message}`);
      for (const p of peers) {
        for (const [id, dc] of p.channels) {
          if (dc.readyState === 'open') continue;
          const remote = p.peer.peers?.get?.(id);
          const pc = remote?.pc;
          console.error(`#   ${p.name} → ${id}: channel ${dc.readyState}, connection ${pc?.signalingState}/${pc?.iceConnectionState}/${pc?.connectionState}`);
        }
      }
    }
    const ms = Date.now() - started;
    const open = peers.reduce((sum, p) => sum + [...p.channels.values()].filter((dc) => dc.readyState === 'open').length, 0);
    const row = {
      peers: n, complete, ms, channelsOpen: open, channelsWanted: n * (n - 1), closes4011: closes.filter((c) => c === 4011).length,
      maxFramesPerSecond: Math.max(...peers.map((p) => p.sent.maxPerSecond())), maxFrames: Math.max(...peers.map((p) => p.sent.total)),
      relayCandidates: peers.reduce((sum, p) => sum + p.sent.relayCandidates, 0),
    };
    rows.push(row);
    console.log(`# ${JSON.stringify(row)}`);
    await Promise.all(peers.map((p) => p.close()));
    if (!complete && !process.argv.includes('--keep-going')) break;
  }
} finally {
  await dev.stop();
  turn.stop();
}
console.log('\n| peers | full mesh | time to full mesh | channels open | 4011 closes | most frames from one connection in 1 s | in all | relay candidates sent |');
console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.peers} | ${r.complete ? 'yes' : 'no'} | ${(r.ms / 1000).toFixed(1)} s | ${r.channelsOpen} / ${r.channelsWanted} | ${r.closes4011} | ${r.maxFramesPerSecond} | ${r.maxFrames} | ${r.relayCandidates} |`);
}
