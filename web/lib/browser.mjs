// Shared by the browser tests: a `switchboard dev` server on a free loopback port, and Debian's Chromium driven
// by playwright-core with the flags this machine needs (no sandbox as root, no background networking).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RESULTS = path.resolve(here, '../test-results');
const JAR = process.env.SWITCHBOARD_JAR || path.resolve(here, '../../server/target/switchboard.jar');
const JAVA = process.env.SWITCHBOARD_JAVA || 'java';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`switchboard dev did not listen on ${port}`);
}

/**
 * Runs `switchboard dev` as a newcomer would, with its generated config in a fresh folder. `restart()` stops it
 * gracefully (going_away, then 1001) and starts it again on the same port with the same keys.
 */
export async function startDev() {
  mkdirSync(RESULTS, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-web-'));
  const port = await freePort();
  let proc;
  const start = async () => {
    proc = spawn(JAVA, ['-jar', JAR, 'dev', '--port', String(port), '--state-dir', dir], { stdio: 'ignore' });
    await waitForPort(port);
  };
  const stopProcess = () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', resolve);
    proc.kill('SIGTERM');
  });
  await start();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    async restart() {
      await stopProcess();
      await start();
    },
    async stop() {
      await stopProcess();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}
