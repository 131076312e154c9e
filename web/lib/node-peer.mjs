// The official SDK's MeteredPeer in Node, as docs/webrtc.md shows it: `ws` with its defaults as the
// webSocketFactory and werift (a WebRTC stack in TypeScript, from npm) as the rtcPeerConnectionFactory. Like the
// call page it opens one negotiated data channel (id 0) per remote peer, so Node and browser peers talk to each
// other. werift leaves loopback out of its host candidates, so 127.0.0.1 is added; run it where loopback is the
// only interface (the tests' network namespace), or it also offers the machine's other addresses.
import WebSocket from 'ws';
import { MeteredPeer } from '@metered-ca/realtime';
import { RTCPeerConnection } from 'werift';

/** A token for `name` from the dev server's demo endpoint, as the call page gets one. */
async function mint(origin, name, peerId) {
  const res = await fetch(`${origin}/demo/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, avatar: '🤖', role: 'student', ...(peerId ? { peerId } : {}) }),
  });
  if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Joins `room` (the call page's `classroom/call-<room>`) as `name`. Resolves with { peer, channels, received,
 * opened(otherName), send(text) }: `channels` maps peerId → RTCDataChannel, `received` lists "name: text".
 */
export async function joinNodePeer(origin, name, room, { rtcConfig = {}, count = false } = {}) {
  let peerId = null;
  // With `count`, the frames this peer's connections send, per second (what the server's rate limit counts).
  const sent = { total: 0, relayCandidates: 0, perSecond: new Map(), maxPerSecond() { return Math.max(0, ...this.perSecond.values()); } };
  const countingSocket = (url) => {
    const ws = new WebSocket(url);
    const send = ws.send.bind(ws);
    ws.send = (data, ...rest) => {
      const second = Math.floor(Date.now() / 1000);
      sent.total++;
      if (String(data).includes(' typ relay')) sent.relayCandidates++;
      sent.perSecond.set(second, (sent.perSecond.get(second) ?? 0) + 1);
      return send(data, ...rest);
    };
    return ws;
  };
  const channels = new Map();
  const names = new Map();
  const received = [];
  const waiters = new Set();
  const notify = () => { for (const w of [...waiters]) w(); };
  const peer = new MeteredPeer({
    url: origin.replace(/^http/, 'ws'),
    tokenProvider: async () => { const t = await mint(origin, name, peerId); peerId = t.peerId; return t.token; },
    webSocketFactory: count ? countingSocket : (url) => new WebSocket(url),
    // iceServers: [] unless the welcome brings some: werift's own default is a public STUN server.
    rtcPeerConnectionFactory: (config) => new RTCPeerConnection({
      iceServers: [], ...config, iceUseIpv6: false, iceAdditionalHostAddresses: ['127.0.0.1'], ...rtcConfig,
    }),
  });
  // On peer-joined, and again when the SDK swaps in a fresh connection after a signalling drop.
  const open = (remote, other) => {
    const dc = remote.pc.createDataChannel('switchboard', { negotiated: true, id: 0 });
    channels.set(remote.id, dc);
    dc.onopen = notify;
    dc.onmessage = (e) => { received.push(`${other}: ${String(e.data)}`); notify(); };
    notify(); // on an association already up, werift's channel may be open at once, without an open event
  };
  const attach = (remote, reset = false) => {
    const other = String(remote.metadata?.name ?? remote.id);
    names.set(remote.id, other);
    if (!remote.polite || reset) { // after a connection-reset only this side has a new connection: it offers
      open(remote, other);
      return;
    }
    // werift cannot roll back its own offer when the other side's arrives (the SDK's perfect negotiation has the
    // polite side do that), so as the polite side it makes no offer: it answers the other side's, and opens its
    // half of the negotiated channel once the connection is up.
    const onState = ({ to }) => {
      if (to !== 'connected') return;
      remote.off('state-change', onState);
      open(remote, other);
    };
    remote.on('state-change', onState);
  };
  peer.on('peer-joined', ({ peer: remote }) => {
    attach(remote);
    remote.on('connection-reset', () => attach(remote, true));
  });
  peer.on('peer-left', ({ peer: remote }) => { channels.delete(remote.id); names.delete(remote.id); notify(); });
  await peer.join(`classroom/call-${room}`, { includeSenderMetadata: true });

  /** Resolves once `predicate()` holds, re-checked on every channel event; rejects after `ms`. */
  const until = (predicate, what, ms = 30_000) => new Promise((resolve, reject) => {
    const check = () => { if (predicate()) { waiters.delete(check); clearTimeout(timer); resolve(); } };
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`${name}: timed out waiting for ${what}; ${state()}`)); }, ms);
    waiters.add(check);
    check();
  });
  const openTo = (other) => [...channels].some(([id, dc]) => names.get(id) === other && dc.readyState === 'open');
  /** Each remote peer's channel and connection state, for a failure message. */
  const state = () => JSON.stringify([...channels].map(([id, dc]) => {
    const pc = peer.peers?.get?.(id)?.pc;
    return `${names.get(id)}: channel ${dc.readyState}, ${pc?.signalingState}/${pc?.iceConnectionState}/${pc?.connectionState}`;
  }));
  return {
    name,
    peer,
    sent,
    channels,
    received,
    opened: (other, ms) => until(() => openTo(other), `a data channel open to ${other}`, ms),
    heard: (line, ms) => until(() => received.includes(line), `"${line}"`, ms),
    send(text) { for (const dc of channels.values()) if (dc.readyState === 'open') dc.send(text); },
    close: () => peer.close(),
  };
}
