// Behind nginx with the snippet docs/deploy.md documents (read from the doc,
// so the two cannot drift apart): the per-IP connect throttle counts each
// client that nginx names in X-Forwarded-For, so one abusive address gets 429
// while others connect, and the official SDK works through the proxy. Clients
// are told apart by their loopback source address (127.0.0.2, 127.0.0.3).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { T, chan } from '../lib/harness.mjs';
import { KEYS } from '../lib/fixtures.mjs';
import { freePort, HOST, startServer } from '../lib/server.mjs';
import { ClientPool, within, sleep } from '../lib/client.mjs';

const ATTEMPTS = 5;
const ctx = { server: null, pool: null }; // started below, before nginx (one before hook: they must not race)
const here = path.dirname(fileURLToPath(import.meta.url));
const nginx = { proc: null, port: 0, dir: null };

function nginxBinary() {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(candidate)) return candidate;
  return 'nginx';
}

/** The documented nginx snippet, pointed at this test's server and listening on plain loopback. */
function documentedSnippet(serverPort, listenPort) {
  const doc = readFileSync(path.resolve(here, '../../docs/deploy.md'), 'utf8');
  const block = doc.match(/```nginx\n([\s\S]*?)```/);
  assert.ok(block, 'docs/deploy.md has an nginx snippet');
  return block[1]
    .replace('server 127.0.0.1:7070;', `server 127.0.0.1:${serverPort};`)
    .replace(/listen 443 ssl;/, `listen ${HOST}:${listenPort};`)
    .replace(/^\s*(ssl_certificate\S*|server_name)\s.*$/gm, '');
}

before(async () => {
  ctx.server = await startServer({
    server: { trustedProxies: ['127.0.0.1'], connectThrottle: { attempts: ATTEMPTS, window: '60s' } },
    tls: false, // nginx terminates TLS in this deployment, also in the suite's TLS run
  });
  ctx.pool = new ClientPool(ctx.server);
  nginx.dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-nginx-'));
  mkdirSync(path.join(nginx.dir, 'tmp'));
  nginx.port = await freePort();
  const conf = `worker_processes 1;
pid ${nginx.dir}/nginx.pid;
error_log ${nginx.dir}/error.log;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${nginx.dir}/tmp;
  proxy_temp_path ${nginx.dir}/tmp;
  fastcgi_temp_path ${nginx.dir}/tmp;
  uwsgi_temp_path ${nginx.dir}/tmp;
  scgi_temp_path ${nginx.dir}/tmp;
${documentedSnippet(ctx.server.port, nginx.port)}
}
`;
  writeFileSync(path.join(nginx.dir, 'nginx.conf'), conf);
  execFileSync(nginxBinary(), ['-t', '-c', path.join(nginx.dir, 'nginx.conf')], { stdio: 'pipe' });
  nginx.proc = spawn(nginxBinary(), ['-c', path.join(nginx.dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await status('127.0.0.9', { key: 'none' }).then(() => true, () => false)) return;
    await sleep(50);
  }
  throw new Error('nginx did not start');
}, { timeout: 45_000 });

afterEach(async () => {
  await ctx.pool?.cleanup();
});

after(async () => {
  nginx.proc?.kill('SIGTERM');
  if (nginx.dir) rmSync(nginx.dir, { recursive: true, force: true });
  await ctx.server?.dispose();
}, { timeout: 20_000 });

/** One upgrade through nginx from `localAddress`; resolves with 101 or the HTTP status nginx relayed. */
function status(localAddress, { key = KEYS.pk } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${HOST}:${nginx.port}/v1?key=${key}`, { localAddress });
    ws.on('open', () => { ws.terminate(); resolve(101); });
    ws.on('unexpected-response', (req, res) => { res.resume(); req.destroy(); resolve(res.statusCode); });
    ws.on('error', reject);
  });
}

test('behind the documented nginx, one abusive address is throttled with 429 and another is not', T, async () => {
  const abuser = [];
  for (let i = 0; i < ATTEMPTS + 2; i++) abuser.push(await within(status('127.0.0.2'), 5000, 'upgrade via nginx'));
  assert.deepEqual(abuser, [...Array(ATTEMPTS).fill(101), 429, 429]);
  assert.equal(await status('127.0.0.3'), 101, 'another client still connects');
});

test('the official SDK works through the documented nginx', T, async () => {
  const url = `ws://${HOST}:${nginx.port}`;
  const a = await ctx.pool.connect({ apiKey: KEYS.pk }, { url, webSocketFactory: (u) => new WebSocket(u, { localAddress: '127.0.0.4' }) });
  const b = await ctx.pool.connect({ apiKey: KEYS.pk }, { url, webSocketFactory: (u) => new WebSocket(u, { localAddress: '127.0.0.5' }) });
  const ch = chan('nginx');
  await b.client.subscribe(ch);
  await a.client.publish(ch, { via: 'nginx' });
  const m = await b.rec.waitFor('message', (e) => e.channel === ch);
  assert.deepEqual(m.data, { via: 'nginx' });
});
