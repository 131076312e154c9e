// Debian's coturn on loopback for the browser suite and the mesh benchmark: the TURN REST API's shared secret
// (`use-auth-secret`, the credentials Switchboard injects into the welcome), relaying between loopback addresses
// only (`allow-loopback-peers`, which is only for tests), no TLS, no CLI.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TURNSERVER = '/usr/bin/turnserver';

/**
 * Starts coturn on 127.0.0.1:`port`; resolves with { log(), stop() } once it serves. Pick a port below the kernel's
 * ephemeral range (32768 and up on Linux): a port in it can be held by any outgoing connection in the namespace,
 * and coturn then retries its bind forever instead of exiting.
 */
export async function startCoturn({ secret, port, realm = 'switchboard.test' }) {
  await assertFree(port); // coturn logs "ready" before its TCP bind, and a failed bind does not stop it
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-coturn-'));
  let log = '';
  const proc = spawn(TURNSERVER, ['-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1',
    `--listening-port=${port}`, '--min-port=49152', '--max-port=65535', '--use-auth-secret',
    `--static-auth-secret=${secret}`, `--realm=${realm}`, '--allow-loopback-peers', '--no-tls', '--no-dtls',
    '--no-cli', '--fingerprint', '--log-file=stdout', '--simple-log', `--pidfile=${dir}/turnserver.pid`,
    `--userdb=${dir}/turndb`], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (c) => { log += c; });
  proc.stderr.on('data', (c) => { log += c; });
  const stop = () => { proc.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); };
  for (let i = 0; i < 100 && !/Total (General|UDP) servers/.test(log); i++) {
    if (proc.exitCode !== null) { stop(); throw new Error(`turnserver exited: ${log}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { log: () => log, stop };
}

/**
 * A `switchboard dev` configuration (the dev app, fresh keys) whose welcome carries credentials for the coturn on
 * 127.0.0.1:`port`, as a developer would add `turn:` to .switchboard/dev.yaml. `extra` is YAML for the app.
 */
export function devConfigWithTurn(secret, port, extra = '') {
  const id = (prefix) => `${prefix}${randomBytes(12).toString('hex').slice(0, 24)}`;
  const all = 'channelPatterns: ["**"], actions: [subscribe, publish, presence, send]';
  return `server: { host: 127.0.0.1, port: 7070 }
turn:
  urls: ["turn:127.0.0.1:${port}?transport=udp"]
  secret: ${secret}
  ttl: 1h
apps:
  - id: dev
${extra}    keys:
      - { type: publishable, id: ${id('pk_live_')}, ${all} }
      - { type: secret, id: ${id('sk_id_')}, secret: ${id('sk_secret_')}${randomBytes(8).toString('hex')}, ${all} }
`;
}

/** Throws when something already holds 127.0.0.1:`port` over TCP or UDP, the two that coturn listens on. */
async function assertFree(port) {
  const inUse = (error) => new Error(`127.0.0.1:${port} is in use (${error.code}); coturn needs it over TCP and UDP`);
  await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e) => reject(inUse(e)));
    server.listen(port, '127.0.0.1', () => server.close(resolve));
  });
  await new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (e) => { socket.close(); reject(inUse(e)); });
    socket.bind(port, '127.0.0.1', () => socket.close(resolve));
  });
}
