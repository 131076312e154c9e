// Starts the Switchboard server jar as a child process for one test file.
//
//   const server = await startServer();          // default fixture config
//   server.url                                   // "ws://127.0.0.1:<port>" (origin only)
//   await server.stop();                         // SIGTERM, wait, SIGKILL after 10 s
//   await server.restartOnSamePort();            // same config, same port
//
// Environment:
//   SWITCHBOARD_JAR   path to the fat jar (default ../server/target/switchboard.jar
//                     relative to conformance/)
//   SWITCHBOARD_JAVA  java executable (default "java" from PATH; needs a JDK 25)
//   SWITCHBOARD_CONFORMANCE_LOG=1  mirror the server's stdout/stderr to ours
//   SWITCHBOARD_CONFORMANCE_TLS_DIR  a folder with cert.pem and key.pem: every server speaks TLS
//                     (server.url is wss://, server.httpUrl https://); set by `npm run test:tls`
//   SWITCHBOARD_CONFORMANCE_CLUSTER=1  every server is a cluster of two nodes on a Redis of its own, and
//                     server.url / server.httpUrl alternate between the nodes, so the clients of a test are
//                     spread over both; set by `npm run test:cluster` (lib/cluster-run.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync, copyFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from './fixtures.mjs';
import { toYaml } from './yaml.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const conformanceRoot = path.resolve(here, '..');

export const HOST = '127.0.0.1';
/** Set by `npm run test:tls` (lib/tls-run.mjs): the whole suite then runs over wss:// and https://. */
export const TLS_DIR = process.env.SWITCHBOARD_CONFORMANCE_TLS_DIR || '';
/** Set by `npm run test:cluster` (lib/cluster-run.mjs): every server is two nodes on one Redis. */
export const CLUSTER = ['1', 'redis-cluster'].includes(process.env.SWITCHBOARD_CONFORMANCE_CLUSTER);
/** The two nodes share a Redis Cluster of three masters rather than one Redis (`broker.cluster`). */
const REDIS_CLUSTER = process.env.SWITCHBOARD_CONFORMANCE_CLUSTER === 'redis-cluster';

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_CHARS = 16_000;

export function jarPath() {
  const p = process.env.SWITCHBOARD_JAR || '../server/target/switchboard.jar';
  return path.resolve(conformanceRoot, p);
}

export function javaPath() {
  return process.env.SWITCHBOARD_JAVA || 'java';
}

/** Reserve a free loopback port: listen on 0, read the port, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

function tryConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    const done = (ok) => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class ServerHandle {
  /** `broker`: a broker section every configuration this node writes gets (a node of a cluster). */
  constructor(config, tls, broker = null) {
    this.config = config;
    this.tls = tls;
    this.broker = broker;
    this.port = null;
    this.proc = null;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-conformance-'));
    this.configFile = path.join(this.dir, 'switchboard.yaml');
    this.log = '';
    this.exitInfo = null;
  }

  /** The SDK's `url` option: ws:// or, over TLS, wss://. */
  get url() {
    return `${this.tls ? 'wss' : 'ws'}://${HOST}:${this.port}`;
  }

  /** The REST origin on the same port: http:// or, over TLS, https://. */
  get httpUrl() {
    return `${this.tls ? 'https' : 'http'}://${HOST}:${this.port}`;
  }

  _tlsSection() {
    if (!this.tls) return {};
    return { tls: { certificate: path.join(TLS_DIR, 'cert.pem'), privateKey: path.join(TLS_DIR, 'key.pem') } };
  }

  /** Tail of the server's combined stdout/stderr (for failure messages). */
  logs() {
    return this.log;
  }

  _append(chunk) {
    const s = chunk.toString('utf8');
    if (process.env.SWITCHBOARD_CONFORMANCE_LOG === '1') process.stderr.write(`[server:${this.port}] ${s}`);
    this.log += s;
    if (this.log.length > LOG_TAIL_CHARS * 2) this.log = this.log.slice(-LOG_TAIL_CHARS);
  }

  async start(port) {
    if (!this.jar) {
      const source = jarPath();
      if (!existsSync(source)) {
        throw new Error(`Switchboard jar not found at ${source} (set SWITCHBOARD_JAR or build the server first)`);
      }
      // Run a private copy: a rebuild that rewrites the original jar while
      // the JVM is running would otherwise break class loading mid-test.
      this.jar = path.join(this.dir, 'switchboard.jar');
      copyFileSync(source, this.jar);
    }
    const jar = this.jar;
    this.port = port ?? (await freePort());
    const cfg = structuredClone(this.config);
    cfg.server = { ...(cfg.server ?? {}), host: HOST, port: this.port, ...this._tlsSection() };
    if (this.broker) cfg.broker = this.broker;
    writeFileSync(this.configFile, toYaml(cfg));

    const args = ['-jar', jar, 'serve', '--config', this.configFile, '--port', String(this.port), '--host', HOST];
    const proc = spawn(javaPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir });
    this.proc = proc;
    this.exitInfo = null;
    const exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    this._exited = exited;
    proc.once('error', (err) => {
      this._append(`\n[conformance] failed to spawn ${javaPath()}: ${err.message}\n`);
      this.exitInfo = { code: null, signal: null, error: err };
    });
    proc.stdout.on('data', (c) => this._append(c));
    proc.stderr.on('data', (c) => this._append(c));

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exitInfo) {
        throw new Error(
          `Switchboard exited before accepting connections (code=${this.exitInfo.code}, signal=${this.exitInfo.signal}).\n` +
            `command: ${javaPath()} ${args.join(' ')}\n--- server output ---\n${this.log.slice(-LOG_TAIL_CHARS)}`,
        );
      }
      if (await tryConnect(this.port)) return this;
      await sleep(100);
    }
    await this.stop();
    throw new Error(
      `Switchboard did not accept TCP connections on ${HOST}:${this.port} within ${READY_TIMEOUT_MS} ms.\n` +
        `command: ${javaPath()} ${args.join(' ')}\n--- server output ---\n${this.log.slice(-LOG_TAIL_CHARS)}`,
    );
  }

  /**
   * Write `config` as this server's file (same host and port) and run
   * `switchboard reload --config FILE`, as an operator would. Resolves with
   * the command's { code, stdout, stderr }.
   */
  async reload(config) {
    const cfg = structuredClone(config);
    cfg.server = { ...(cfg.server ?? {}), host: HOST, port: this.port, ...this._tlsSection() };
    if (this.broker) cfg.broker = this.broker;
    writeFileSync(this.configFile, toYaml(cfg));
    return this.reloadRaw();
  }

  /** Run `switchboard reload` on the file as it is (e.g. after writing a broken one). */
  reloadRaw() {
    return new Promise((resolve) => {
      const proc = spawn(javaPath(), ['-jar', this.jar, 'reload', '--config', this.configFile],
        { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (c) => { stdout += c; });
      proc.stderr.on('data', (c) => { stderr += c; });
      proc.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** SIGTERM, wait for exit; SIGKILL after 10 s. Resolves with {code, signal}. */
  async stop() {
    const proc = this.proc;
    if (!proc) return this.exitInfo;
    if (this.exitInfo) {
      this.proc = null;
      return this.exitInfo;
    }
    proc.kill('SIGTERM');
    let timer;
    const killed = new Promise((resolve) => {
      timer = setTimeout(() => {
        this._append('\n[conformance] server did not exit within 10 s of SIGTERM; sending SIGKILL\n');
        try { proc.kill('SIGKILL'); } catch { /* already gone */ }
        resolve();
      }, STOP_GRACE_MS);
    });
    await Promise.race([this._exited, killed]);
    await this._exited;
    clearTimeout(timer);
    this.proc = null;
    return this.exitInfo;
  }

  /** Start a new server process with the same config on the same port. */
  async restartOnSamePort() {
    await this.stop();
    // The port was just released by our own child; retry a few times in
    // case the OS needs a moment before the listen succeeds.
    let lastErr;
    for (let i = 0; i < 3; i++) {
      try {
        return await this.start(this.port);
      } catch (err) {
        lastErr = err;
        await sleep(500);
      }
    }
    throw lastErr;
  }

  /** stop() and delete the temp directory. */
  async dispose() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Start a server. `config` defaults to the shared fixture (lib/fixtures.mjs);
 * `server` keys given here (e.g. { maxMessageSize }) are merged into config.server.
 * `tls: false` keeps it plain in a TLS run (a server behind a TLS-terminating proxy).
 */
export async function startServer({ config = defaultConfig(), server = {}, tls = true } = {}) {
  const cfg = structuredClone(config);
  cfg.server = { ...(cfg.server ?? {}), ...server };
  if (CLUSTER) {
    const cluster = new ClusterHandle(cfg, tls && TLS_DIR !== '');
    await cluster.start();
    return cluster;
  }
  const handle = new ServerHandle(cfg, tls && TLS_DIR !== '');
  await handle.start();
  return handle;
}

/**
 * Two nodes on a redis-server of their own, behind the interface of one ServerHandle: `url` and `httpUrl` name
 * the nodes in turn, so consecutive clients and REST calls of a test land on different nodes; every other
 * operation (stop, restart, reload) applies to both. `port` and `proc` are the first node's.
 */
class ClusterHandle {
  constructor(config, tls) {
    this.config = config;
    this.tls = tls;
    this.turn = 0;
    this.redisLog = '';
  }

  async start() {
    this.redises = [];
    this.redisDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-redis-'));
    const masters = REDIS_CLUSTER ? 3 : 1;
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const options = REDIS_CLUSTER
        ? ['--cluster-enabled', 'yes', '--cluster-port', String(await freePort()),
          '--cluster-config-file', `nodes-${port}.conf`]
        : [];
      const redis = spawn(process.env.SWITCHBOARD_CONFORMANCE_REDIS || 'redis-server',
        ['--bind', HOST, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', this.redisDir,
          ...options],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      redis.port = port;
      redis.stdout.on('data', (c) => { this.redisLog += c; });
      redis.stderr.on('data', (c) => { this.redisLog += c; });
      this.redises.push(redis);
    }
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const redis of this.redises) {
      while (!(await tryConnect(redis.port))) {
        if (Date.now() > deadline || redis.exitCode !== null) {
          await this.dispose();
          throw new Error(`redis-server did not start on ${redis.port}: ${this.redisLog}`);
        }
        await sleep(20);
      }
    }
    const hosts = this.redises.map((r) => `${HOST}:${r.port}`);
    if (REDIS_CLUSTER) {
      const created = spawnSync('redis-cli', ['--cluster', 'create', ...hosts, '--cluster-yes'],
        { encoding: 'utf8' });
      let ok = created.status === 0;
      while (ok && !this.redises.every((r) => clusterOk(r.port))) {
        if (Date.now() > deadline) ok = false;
        else await sleep(50);
      }
      if (!ok) {
        await this.dispose();
        throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
      }
    }
    const uri = `redis://${hosts.join(',')}`;
    const broker = (nodeId) => (REDIS_CLUSTER ? { type: 'redis', uri, cluster: true, nodeId }
      : { type: 'redis', uri, nodeId });
    this.nodes = [
      new ServerHandle(this.config, this.tls, broker('conformance-a')),
      new ServerHandle(this.config, this.tls, broker('conformance-b')),
    ];
    try {
      await Promise.all(this.nodes.map((n) => n.start()));
    } catch (err) {
      await this.dispose();
      throw err;
    }
    return this;
  }

  _next() {
    const node = this.nodes[this.turn % this.nodes.length];
    this.turn++;
    return node;
  }

  get url() { return this._next().url; }
  get httpUrl() { return this._next().httpUrl; }
  get port() { return this.nodes[0].port; }
  get proc() { return this.nodes[0].proc; }
  get configFile() { return this.nodes[0].configFile; }
  logs() { return this.nodes.map((n, i) => `--- node ${i} ---\n${n.logs()}`).join('\n'); }

  async reload(config) {
    const results = await Promise.all(this.nodes.map((n) => n.reload(config)));
    return results.find((r) => r.code !== 0) ?? results[0];
  }

  async reloadRaw() {
    const results = await Promise.all(this.nodes.map((n) => n.reloadRaw()));
    return results.find((r) => r.code !== 0) ?? results[0];
  }

  async stop() {
    const exits = await Promise.all(this.nodes.map((n) => n.stop()));
    return exits[0];
  }

  /** Empties Redis, as a restart without persistence does: streams, presence, counters, all gone. */
  loseStore() {
    for (const redis of this.redises) {
      const flushed = spawnSync('redis-cli', ['-h', HOST, '-p', String(redis.port), 'FLUSHALL'], { encoding: 'utf8' });
      if (flushed.status !== 0) throw new Error(`FLUSHALL failed on ${redis.port}: ${flushed.stderr}`);
    }
  }

  async restartOnSamePort() {
    await Promise.all(this.nodes.map((n) => n.restartOnSamePort()));
    return this;
  }

  async dispose() {
    await Promise.all((this.nodes ?? []).map((n) => n.dispose()));
    await Promise.all(this.redises.filter((r) => r.exitCode === null).map((r) => {
      const exited = new Promise((resolve) => r.once('exit', resolve));
      r.kill('SIGTERM');
      return exited;
    }));
    rmSync(this.redisDir, { recursive: true, force: true });
  }
}

/** Whether the Redis Cluster master on `port` has every slot served. */
function clusterOk(port) {
  const info = spawnSync('redis-cli', ['-h', HOST, '-p', String(port), 'cluster', 'info'], { encoding: 'utf8' });
  return info.status === 0 && info.stdout.includes('cluster_state:ok');
}
