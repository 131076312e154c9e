// Shared by the browser tests: a `switchboard dev` server on a free loopback port, and Debian's Chromium driven
// by playwright-core with the flags this machine needs (no sandbox as root, no background networking).
import { spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * gracefully (going_away, then 1001) and starts it again on the same port with the same keys. With `tls` it is
 * `switchboard dev --tls` on loopback: `origin` is https://, and `certificate` the PEM chain it serves. `config`
 * (YAML) replaces the generated dev configuration, as a developer who edited .switchboard/dev.yaml would.
 */
export async function startDev({ tls = false, config = null } = {}) {
  mkdirSync(RESULTS, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-web-'));
  if (config) writeFileSync(path.join(dir, 'dev.yaml'), config);
  const port = await freePort();
  let proc;
  const args = ['-jar', JAR, 'dev', '--port', String(port), '--state-dir', dir, ...(tls ? ['--tls', '--host', '127.0.0.1'] : [])];
  const start = async () => {
    proc = spawn(JAVA, args, { stdio: 'ignore' });
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
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    certificate: tls ? path.join(dir, 'tls', 'cert.pem') : null,
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

/**
 * The Chromium flag that trusts exactly the server certificate in `pemFile` (its key's SHA-256), as a developer
 * who installed the dev CA would; no other certificate error is ignored.
 */
export function trustCertificateFlag(pemFile) {
  const spki = new X509Certificate(readFileSync(pemFile)).publicKey.export({ type: 'spki', format: 'der' });
  return `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`;
}

export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}
