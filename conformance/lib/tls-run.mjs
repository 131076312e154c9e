// Runs the whole conformance suite over native TLS: wss:// for the SDK, https:// for REST.
//
//   npm run test:tls
//
// Makes a throw-away certificate authority and a server certificate for 127.0.0.1 with the system's openssl
// (independent of the server's own dev certificates), has every test server load them through `server.tls`,
// and trusts the authority in the test processes through NODE_EXTRA_CA_CERTS, as an application would. The
// test files read SWITCHBOARD_CONFORMANCE_TLS_DIR (lib/server.mjs) and are otherwise the plain suite.
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-conformance-tls-'));
const file = (name) => path.join(dir, name);

function openssl(...args) {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} failed: ${run.error?.message ?? run.stderr}`);
  }
}

openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca-key.pem',
  '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Switchboard conformance CA',
  '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
// An RSA server key (the dev certificates are EC), signed by the authority; cert.pem is the full chain.
openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial',
  '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
writeFileSync(file('cert.pem'), readFileSync(file('server.pem'), 'utf8') + readFileSync(file('ca.pem'), 'utf8'));

console.log(`# conformance over TLS: certificates in ${dir}, NODE_EXTRA_CA_CERTS=${file('ca.pem')}`);
const files = process.argv.slice(2);
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...(files.length ? files : ['test/'])], {
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: file('ca.pem'), SWITCHBOARD_CONFORMANCE_TLS_DIR: dir },
});
child.on('exit', (code, signal) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
