// Runs the whole conformance suite against clusters: every test server is two Switchboard nodes on a
// redis-server of their own, and the clients of each test alternate between the nodes (lib/server.mjs).
//
//   npm run test:cluster [test files…]
//
// Needs redis-server on PATH (Debian package redis-server; ./switchboard test installs it when run as root).
import { spawn, spawnSync } from 'node:child_process';

const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
if (found.error || found.status !== 0) {
  console.error('redis-server is not installed (Debian: apt-get install redis-server)');
  process.exit(1);
}
console.log(`# conformance against two-node clusters: ${found.stdout.trim()}`);
const files = process.argv.slice(2);
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...(files.length ? files : ['test/'])], {
  stdio: 'inherit',
  env: { ...process.env, SWITCHBOARD_CONFORMANCE_CLUSTER: '1' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
