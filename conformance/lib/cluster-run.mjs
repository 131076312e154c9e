// Runs the whole conformance suite against clusters: every test server is two Switchboard nodes on a
// redis-server of their own, and the clients of each test alternate between the nodes (lib/server.mjs).
//
//   npm run test:cluster [--redis-cluster] [test files…]
//
// With --redis-cluster the nodes share a Redis Cluster of three masters (broker.cluster: true) instead.
// Needs redis-server on PATH (Debian package redis-server; ./switchboard test installs it when run as root).
import { spawn, spawnSync } from 'node:child_process';

const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
if (found.error || found.status !== 0) {
  console.error('redis-server is not installed (Debian: apt-get install redis-server)');
  process.exit(1);
}
const redisCluster = process.argv.includes('--redis-cluster');
console.log(`# conformance against two-node clusters on ${redisCluster ? 'a Redis Cluster of three masters'
  : 'one Redis'}: ${found.stdout.trim()}`);
const files = process.argv.slice(2).filter((arg) => arg !== '--redis-cluster');
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...(files.length ? files : ['test/'])], {
  stdio: 'inherit',
  env: { ...process.env, SWITCHBOARD_CONFORMANCE_CLUSTER: redisCluster ? 'redis-cluster' : '1' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
