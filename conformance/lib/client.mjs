// Helpers around the official SDK: builds SignallingClient / MeteredPeer
// instances wired to a `ws`-backed webSocketFactory that records every
// socket attempt and every raw frame in both directions, and an event
// recorder so tests can await events without racing their arrival.
import WebSocket from 'ws';
import { SignallingClient, MeteredPeer } from '@metered-ca/realtime';
import { KEYS, signToken } from './fixtures.mjs';

export const DEFAULT_WAIT_MS = 5000;

const SC_EVENTS = [
  'connected',
  'disconnected',
  'state-change',
  'message',
  'direct',
  'presence',
  'server-error',
  'going-away',
  'token-provider-error',
];

const MP_EVENTS = ['joined', 'left', 'state-change', 'peer-joined', 'peer-left', 'data', 'error'];

/**
 * webSocketFactory wrapper. `wire.sockets` = one entry per connection
 * attempt; `wire.frames` = [{ socket, dir: 'in'|'out', raw, frame }] in
 * arrival/send order; `wire.closes` = [{ socket, code, reason }].
 */
export function recordingFactory({ origin, wsOptions } = {}) {
  const wire = { sockets: [], frames: [], closes: [], urls: [] };
  wire.factory = (url) => {
    const index = wire.sockets.length;
    wire.urls.push(url);
    // ws with its defaults, as a new user writes it: allowSynchronousEvents
    // is true, so all frames of one TCP read are emitted in one tick, before
    // any microtask runs. The server releases a presence snapshot only after
    // the pong of a ping sent behind the subscribe ack, so the SDK's awaited
    // subscribe() continuation has run by then (docs/decisions.md D9).
    const ws = new WebSocket(url, { ...(origin ? { origin } : {}), ...wsOptions });
    wire.sockets.push(ws);
    ws.addEventListener('message', (ev) => {
      if (typeof ev.data !== 'string') {
        wire.frames.push({ socket: index, dir: 'in', raw: ev.data, frame: null, binary: true });
        return;
      }
      let frame = null;
      try { frame = JSON.parse(ev.data); } catch { /* kept raw */ }
      wire.frames.push({ socket: index, dir: 'in', raw: ev.data, frame });
    });
    ws.addEventListener('close', (ev) => wire.closes.push({ socket: index, code: ev.code, reason: ev.reason }));
    // WebSocket pings (dir 'ping'; ws has answered each when it emits it): the server confirms the messages it
    // wrote before a ping by its pong (docs/history.md).
    ws.on('ping', () => wire.frames.push({ socket: index, dir: 'ping', ping: true, frame: null }));
    const send = ws.send.bind(ws);
    ws.send = (data, ...rest) => {
      let frame = null;
      try { frame = JSON.parse(data); } catch { /* kept raw */ }
      wire.frames.push({ socket: index, dir: 'out', raw: data, frame });
      return send(data, ...rest);
    };
    return ws;
  };
  wire.inbound = (type, socket) =>
    wire.frames.filter((f) => f.dir === 'in' && f.frame?.type === type && (socket === undefined || f.socket === socket)).map((f) => f.frame);
  wire.outbound = (type, socket) =>
    wire.frames.filter((f) => f.dir === 'out' && f.frame?.type === type && (socket === undefined || f.socket === socket)).map((f) => f.frame);
  return wire;
}

/** Buffers emitted events so tests can await them (or assert their absence). */
export class Recorder {
  constructor(emitter, events) {
    this.events = [];
    this.waiters = new Set();
    for (const name of events) {
      emitter.on(name, (payload) => {
        const entry = { name, payload, at: Date.now() };
        this.events.push(entry);
        for (const w of [...this.waiters]) w.check(entry);
      });
    }
  }

  all(name, pred = () => true) {
    return this.events.filter((e) => e.name === name && pred(e.payload)).map((e) => e.payload);
  }

  /**
   * Resolve with the first `name` event (already buffered or future) that
   * satisfies `pred`. Buffered events before `since` (a count) are skipped.
   */
  waitFor(name, pred = () => true, { timeout = DEFAULT_WAIT_MS, since = 0, what } = {}) {
    const seen = new Set();
    const existing = this.events.slice(since).find((e) => e.name === name && pred(e.payload));
    if (existing) return Promise.resolve(existing.payload);
    return new Promise((resolve, reject) => {
      const waiter = {
        check: (entry) => {
          if (seen.has(entry)) return;
          seen.add(entry);
          if (entry.name === name && pred(entry.payload)) {
            clearTimeout(timer);
            this.waiters.delete(waiter);
            resolve(entry.payload);
          }
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const got = this.events.filter((e) => e.name === name).map((e) => JSON.stringify(e.payload)).slice(-5);
        reject(new Error(`timed out after ${timeout} ms waiting for '${name}'${what ? ` (${what})` : ''}; last '${name}' events: [${got.join(', ')}]`));
      }, timeout);
      this.waiters.add(waiter);
    });
  }

  mark() {
    return this.events.length;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 5 ms until it holds; throws after `ms`. For what no SDK event reports (wire details). */
export async function until(check, what, ms = DEFAULT_WAIT_MS) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * A protocol ping/pong round trip on socket `i` of a recorded client: once it returns, everything the server
 * enqueued for that socket before reading the ping has been received.
 */
export async function pingBarrier(entry, i = entry.wire.sockets.length - 1) {
  const before = entry.wire.inbound('pong', i).length;
  entry.wire.sockets[i].send(JSON.stringify({ type: 'ping' }));
  await until(() => entry.wire.inbound('pong', i).length > before, 'the pong');
}

/** Reject `promise` if it does not settle within `ms`. */
export function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/**
 * Creates SDK clients against one server and closes them all in cleanup().
 * Every client gets its own recording factory and event recorder.
 */
export class ClientPool {
  constructor(server) {
    this.server = server;
    this.clients = [];
  }

  /**
   * Build (not connect) a SignallingClient. `cred` is { apiKey } or
   * { token } / { claims, key } (signed lazily through tokenProvider).
   */
  build(cred, opts = {}) {
    const wire = recordingFactory({ origin: cred.origin });
    const credential = {};
    if (cred.apiKey !== undefined) credential.apiKey = cred.apiKey;
    else if (cred.token !== undefined) credential.tokenProvider = async () => cred.token;
    else if (cred.claims !== undefined) credential.tokenProvider = async () => signToken(cred.claims, cred.sign ?? {});
    else throw new Error('build(): need apiKey, token or claims');
    const client = new SignallingClient({
      url: this.server.url,
      webSocketFactory: wire.factory,
      ...credential,
      ...opts,
    });
    const rec = new Recorder(client, SC_EVENTS);
    const entry = { client, wire, rec };
    this.clients.push(entry);
    return entry;
  }

  /** Build + connect. Resolves with { client, wire, rec, welcome }. */
  async connect(cred, opts = {}) {
    const entry = this.build(cred, opts);
    await within(entry.client.connect(), 12_000, 'SignallingClient.connect()');
    entry.welcome = await entry.rec.waitFor('connected');
    entry.peerId = entry.welcome.peerId;
    return entry;
  }

  /** Publishable-key client of app_conf (all actions, "**"). */
  pk(apiKey = KEYS.pk, opts) {
    return this.connect({ apiKey }, opts);
  }

  /** JWT client of app_conf signed with the conformance secret key. */
  jwt(claims, opts, sign) {
    return this.connect({ claims, sign }, opts);
  }

  meteredPeer(cred, opts = {}) {
    const wire = recordingFactory();
    const credential = cred.apiKey !== undefined
      ? { apiKey: cred.apiKey }
      : { tokenProvider: async () => signToken(cred.claims, cred.sign ?? {}) };
    const peer = new MeteredPeer({
      url: this.server.url,
      webSocketFactory: wire.factory,
      rtcPeerConnectionFactory: () => new FakeRTCPeerConnection(),
      ...credential,
      ...opts,
    });
    const rec = new Recorder(peer, MP_EVENTS);
    const entry = { peer, wire, rec, isPeer: true };
    this.clients.push(entry);
    return entry;
  }

  async cleanup() {
    const all = this.clients.splice(0);
    await Promise.allSettled(
      all.map(({ client, peer }) => within((client ?? peer).close(), 3000, 'close()').catch(() => {})),
    );
  }
}

/**
 * Inert stand-in for RTCPeerConnection (RTCPeerConnectionLike). MeteredPeer
 * only constructs one per remote peer; with no tracks or data channels added
 * it never negotiates, so nothing WebRTC-specific runs.
 */
export class FakeRTCPeerConnection {
  constructor() {
    this.connectionState = 'new';
    this.signalingState = 'stable';
    this.iceConnectionState = 'new';
    this.localDescription = null;
    this.remoteDescription = null;
    this.listeners = new Map();
  }
  async createOffer() { return { type: 'offer', sdp: '' }; }
  async createAnswer() { return { type: 'answer', sdp: '' }; }
  async setLocalDescription() {}
  async setRemoteDescription() {}
  async addIceCandidate() {}
  addTrack() { throw new Error('FakeRTCPeerConnection: no media in conformance tests'); }
  removeTrack() {}
  getSenders() { return []; }
  createDataChannel() { throw new Error('FakeRTCPeerConnection: no data channels in conformance tests'); }
  setConfiguration() {}
  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
  }
  removeEventListener(type, fn) { this.listeners.get(type)?.delete(fn); }
  close() {
    this.connectionState = 'closed';
    this.signalingState = 'closed';
  }
}

/** Assert that a promise rejects and return the error. */
export async function rejection(promise, ms = DEFAULT_WAIT_MS, what = 'promise') {
  try {
    await within(promise, ms, what);
  } catch (err) {
    return err;
  }
  throw new Error(`expected ${what} to reject, but it resolved`);
}
